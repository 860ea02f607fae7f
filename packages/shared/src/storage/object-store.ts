import type { Readable } from 'node:stream';

/**
 * The port through which every use case reaches S3: exactly the operations the services need. Failures are
 * typed (object-store-errors.ts): ObjectStoreNotFoundError, ObjectStoreInvalidNameError, ObjectStoreTimeoutError;
 * anything else is passed through as it came and counts as transient.
 * Implemented once, on the minio client (minio-object-store.ts); tests run it against a real S3.
 */
export interface ObjectStore {
  /** Size, ETag and metadata of an object; ObjectStoreNotFoundError if it or its bucket is missing. */
  stat(bucket: string, key: string): Promise<ObjectStat>;
  bucketExists(bucket: string): Promise<boolean>;
  makeBucket(bucket: string, region: string): Promise<void>;
  /** Bytes [offset, offset + length) in memory: never more than `length`, fewer only past the object's end. */
  readRange(bucket: string, key: string, offset: number, length: number): Promise<Buffer>;
  /** The whole object as a stream, never buffered. Resolves once S3 answered (NotFound is thrown here). */
  getStream(bucket: string, key: string): Promise<Readable>;
  /**
   * The object's size and its first `maxBytes` bytes (all of it when it is that small), in one GET: a small
   * object needs no stat before it is read. ObjectStoreNotFoundError if it or its bucket is missing.
   */
  readPrefix(bucket: string, key: string, maxBytes: number): Promise<{ size: number; bytes: Buffer }>;
  /** Object bytes [start, end) (end exclusive) as a stream. */
  getRangeStream(bucket: string, key: string, start: number, end: number): Promise<Readable>;
  /**
   * Streams `source` into `bucket/key` as a multipart upload. On any error (from the source or from S3) the upload
   * is aborted and the source destroyed; the object only appears once every part is in and the source ended.
   */
  uploadMultipart(input: MultipartUploadInput): Promise<{ etag: string; size: number }>;
  /** Every object whose key starts with `prefix`, with its last-modified time (the orphan sweep's input). */
  listObjects(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** Unfinished multipart uploads whose key starts with `prefix`. */
  listIncompleteUploads(bucket: string, prefix: string): Promise<IncompleteUpload[]>;
  /** Aborts every unfinished multipart upload of exactly `key`; returns how many there were. */
  abortIncompleteUploads(bucket: string, key: string): Promise<number>;
  /** Removes an object; a missing object (or bucket) is not an error. */
  remove(bucket: string, key: string): Promise<void>;
  /** A signed ListBuckets: does S3 accept this account's credentials? Never throws. */
  checkCredentials(): Promise<CredentialCheck>;
}

/** S3 error codes that mean the access key is unknown or the secret does not match it. */
export const BAD_CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
]);

/**
 * The answer to a signed request. `access-denied` is NOT bad credentials: the key pair is valid, the account may
 * just not list buckets. `unverified`: no answer (unreachable, timeout) or an answer that says nothing about keys.
 */
export type CredentialCheck =
  | { result: 'accepted' }
  | { result: 'rejected'; code: string }
  | { result: 'access-denied' }
  | { result: 'unverified'; detail: string };

export interface ObjectStat {
  size: number;
  etag: string;
  /** User metadata keyed without the `x-amz-meta-` prefix (as S3 clients return it), plus standard headers. */
  metadata: Record<string, string>;
}

export interface MultipartUploadInput {
  bucket: string;
  key: string;
  source: Readable;
  /** Bytes per part; the upload holds two parts in memory (one filling, one uploading). */
  partSize: number;
  /** x-amz-meta-* headers stored with the object. */
  metadata?: Record<string, string>;
}

export interface IncompleteUpload {
  key: string;
  uploadId: string;
  /** When the upload was started, if S3 said so. */
  initiated?: Date;
}

export interface StoredObject {
  key: string;
  lastModified: Date;
}
