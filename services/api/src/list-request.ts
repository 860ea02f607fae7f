import { DEFAULT_LIMIT, MAX_LIMIT, parseContract } from '@cloud-images/shared';
import type { z } from 'zod';
import { InvalidRequestError } from './domain-errors.js';

/** Where a list's marker must point: an item of the same list, as the caller sees it. */
export interface ListMarkerCheck {
  /** 'task' or 'image', for the message. */
  noun: string;
  isVisible: (id: string) => Promise<boolean>;
}

/**
 * A list query checked against its contract schema, with the page size settled: the default when absent, and at
 * most the maximum (a larger one only gets this far where the contract clamps it, as for images). A marker must
 * name an item the caller can see in this list (compared in lower case, as ids are stored), else a 400.
 */
export async function parseListRequest<
  S extends z.ZodType<{ limit?: string | undefined; marker?: string | undefined }>,
>(
  schema: S,
  params: Record<string, string>,
  markerCheck: ListMarkerCheck,
): Promise<Omit<z.output<S>, 'limit' | 'marker'> & { limit: number; marker: string | undefined }> {
  const parsed = parseContract(schema, params);
  if (!parsed.ok) throw new InvalidRequestError(parsed.message);
  const { limit, marker: rawMarker, ...rest } = parsed.value;
  const marker = rawMarker?.toLowerCase();
  if (marker && !(await markerCheck.isVisible(marker))) {
    throw new InvalidRequestError(`Invalid marker '${marker}': no such ${markerCheck.noun} in this list.`);
  }
  return { ...rest, limit: Math.min(Number(limit ?? DEFAULT_LIMIT), MAX_LIMIT), marker };
}
