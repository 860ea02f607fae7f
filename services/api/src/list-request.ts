import { DEFAULT_LIMIT, MAX_LIMIT, parseContract } from '@cloud-images/shared';
import type { z } from 'zod';
import { InvalidRequestError } from './domain-errors.js';

/**
 * A list query checked against its contract schema, with the page size settled: the default when absent, and at
 * most the maximum (a larger one only gets this far where the contract clamps it, as for images). Markers are
 * compared in lower case, as ids are stored.
 */
export function parseListRequest<
  S extends z.ZodType<{ limit?: string | undefined; marker?: string | undefined }>,
>(
  schema: S,
  params: Record<string, string>,
): Omit<z.output<S>, 'limit' | 'marker'> & { limit: number; marker: string | undefined } {
  const parsed = parseContract(schema, params);
  if (!parsed.ok) throw new InvalidRequestError(parsed.message);
  const { limit, marker, ...rest } = parsed.value;
  return {
    ...rest,
    limit: Math.min(Number(limit ?? DEFAULT_LIMIT), MAX_LIMIT),
    marker: marker?.toLowerCase(),
  };
}
