import { InvalidBucketNameError, InvalidObjectNameError } from 'minio';

/**
 * The object store's typed failures. Anything else an ObjectStore throws is passed through unchanged and is
 * treated as transient (the worker retries it).
 */

/** The object, its bucket, or the multipart upload does not exist (S3 NoSuchKey, NotFound, NoSuchBucket, NoSuchUpload). */
export class ObjectStoreNotFoundError extends Error {
  override readonly name = 'ObjectStoreNotFoundError';
}

/** A bucket or object name S3 (or the client, before sending anything) refuses. */
export class ObjectStoreInvalidNameError extends Error {
  override readonly name = 'ObjectStoreInvalidNameError';
}

/** No connection, no answer, or an idle connection within the configured limit. */
export class ObjectStoreTimeoutError extends Error {
  override readonly name = 'ObjectStoreTimeoutError';
}

const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
const INVALID_NAME_CODES = new Set(['InvalidBucketName', 'InvalidObjectName', 'KeyTooLongError']);

export function isObjectStoreNotFound(error: unknown): error is ObjectStoreNotFoundError {
  return error instanceof ObjectStoreNotFoundError;
}

/** `await undefinedIfNotFound(store.stat(b, k))`: the value, or undefined when it does not exist. */
export async function undefinedIfNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (isObjectStoreNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Maps a client error to a typed one. `related` are errors seen elsewhere on the same call, e.g. the socket's own
 * error: when a timed-out socket is destroyed, a response body being read fails with a generic "aborted" whose
 * reason only the socket knows.
 */
export function toObjectStoreError(error: unknown, ...related: unknown[]): unknown {
  if (
    error instanceof ObjectStoreNotFoundError ||
    error instanceof ObjectStoreInvalidNameError ||
    error instanceof ObjectStoreTimeoutError
  ) {
    return error;
  }
  const timeout = [error, ...related].map(timeoutInCauseChain).find((found) => found !== undefined);
  if (timeout) return new ObjectStoreTimeoutError(timeout.message, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && NOT_FOUND_CODES.has(code)) {
    return new ObjectStoreNotFoundError(`${code}: ${message}`, { cause: error });
  }
  if (
    error instanceof InvalidBucketNameError ||
    error instanceof InvalidObjectNameError ||
    (typeof code === 'string' && INVALID_NAME_CODES.has(code))
  ) {
    return new ObjectStoreInvalidNameError(message, { cause: error });
  }
  return error;
}

function timeoutInCauseChain(error: unknown): ObjectStoreTimeoutError | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current != null && !seen.has(current); current = (current as Error).cause) {
    if (current instanceof ObjectStoreTimeoutError) return current;
    seen.add(current);
  }
  return undefined;
}
