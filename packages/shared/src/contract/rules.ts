import { z } from 'zod';

/**
 * The rules every part of the system applies to identifiers and locations. They are recorded here once;
 * WHERE each is enforced is part of the contract too (see the notes on each): some are 400s at the API, some
 * are task failures the worker reports with the seeds' exact messages.
 */

/** Any 8-4-4-4-12 hex id, either case. Path ids and markers that fail it are 404s/400s at the API. */
export const uuid = z.guid();
/** The same rule as a RegExp, for callers that match rather than parse (tests' `expect.stringMatching`). */
export const UUID_PATTERN: RegExp = z.regexes.guid;

export function isUuid(value: unknown): value is string {
  return uuid.safeParse(value).success;
}

/**
 * Rackspace container names: no '/', '?' or '.', and something S3 accepts as a bucket once prefixed.
 * Enforced by the worker (an export to an invalid container is a task failure, as the contract lists it).
 */
export function isValidContainerName(container: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(container);
}

/**
 * `import_from` is "<container>/<object>". Returns undefined if either part is missing. Enforced by the worker,
 * which reports a value it cannot split as "Image not found for import" (seed 001).
 */
export function parseContainerPath(path: string): { container: string; object: string } | undefined {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { container: path.slice(0, slash), object: path.slice(slash + 1) };
}

/**
 * An import's `image_properties` may name only `name`. Other keys are accepted at the API (201) and the task
 * fails with the documented message, so a client sees the same answer as on Rackspace.
 */
export function unsupportedImageProperties(properties: Record<string, unknown>): string[] {
  return Object.keys(properties).filter((key) => key !== 'name');
}
