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

/** S3's limit on a bucket name; a container becomes the bucket `<tenant prefix><container>`. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/**
 * Rackspace container names: no '/', '?' or '.', and something S3 accepts as a bucket once prefixed.
 * Enforced by the worker for exports (an invalid container is a task failure, as the contract lists it) and by
 * the API for imports (importLocationProblem).
 */
export function isValidContainerName(container: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(container);
}

/**
 * Why an `import_from` value cannot name an object, or undefined when it can: "<container>/<object>" with a valid
 * container that still fits S3's bucket-name limit once the tenant's prefix is prepended, and a non-empty object.
 * Enforced at the API (400), so a value that can never be read never reaches the worker's retry loop.
 */
export function importLocationProblem(importFrom: string, bucketPrefix = ''): string | undefined {
  const slash = importFrom.indexOf('/');
  if (slash < 0) return `'${importFrom}' is not of the form <container>/<object>.`;
  const container = importFrom.slice(0, slash);
  if (container === '') return `'${importFrom}' names no container before the '/'.`;
  if (slash === importFrom.length - 1) return `'${importFrom}' names no object after the container.`;
  if (!isValidContainerName(container)) {
    return `'${container}' is not a valid container name: use lower-case letters, digits and '-', starting with a letter or digit.`;
  }
  const maxLength = MAX_BUCKET_NAME_LENGTH - bucketPrefix.length;
  if (container.length > maxLength) {
    return `The container name '${container}' is longer than ${maxLength} characters.`;
  }
  return undefined;
}

/**
 * A tenant's bucket prefix: empty, or lower-case letters, digits and '-' (S3 bucket characters without '.'),
 * starting with a letter or digit and leaving room for at least a one-character container.
 */
export function isValidBucketPrefix(prefix: string): boolean {
  return prefix === '' || /^[a-z0-9][a-z0-9-]{0,61}$/.test(prefix);
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
