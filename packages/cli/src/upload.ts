import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { type ObjectStore, ObjectStoreNotFoundError } from '@cloud-images/shared';
import { CliError, Interrupted } from './errors.js';

/** 16 MiB parts: above S3's 5 MiB minimum, small enough that the two buffered parts stay modest. */
export const UPLOAD_PART_SIZE = 16 * 1024 * 1024;

export interface UploadInput {
  store: ObjectStore;
  bucket: string;
  region: string;
  key: string;
  path: string;
  /** Aborting (Ctrl-C) stops the upload and aborts the multipart upload. */
  signal: AbortSignal;
  onBytes: (done: number, total: number) => void;
}

/** Creates the container's bucket when it is missing, as `gcloud compute images import` does with its bucket. */
export async function ensureContainer(store: ObjectStore, bucket: string, region: string): Promise<void> {
  if (await store.bucketExists(bucket)) return;
  await store.makeBucket(bucket, region).catch(async (error: unknown) => {
    // Another client made it meanwhile: fine.
    if (!(await store.bucketExists(bucket))) throw error;
  });
}

/**
 * Streams the file into bucket/key as a multipart upload through the ObjectStore port. On abort the source is
 * destroyed, which makes the port abort the multipart upload; a last abortIncompleteUploads sweep covers an
 * initiation that raced the signal, so no incomplete upload is ever left.
 */
export async function uploadFile(input: UploadInput): Promise<{ size: number; etag: string }> {
  const { store, bucket, key, signal } = input;
  const total = (await stat(input.path)).size;
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      done += chunk.length;
      input.onBytes(done, total);
      callback(null, chunk);
    },
  });
  const source = createReadStream(input.path, { highWaterMark: 1024 * 1024 }).pipe(counter);
  const onAbort = () => source.destroy(new Interrupted());
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) throw new Interrupted();
    return await store.uploadMultipart({ bucket, key, source, partSize: UPLOAD_PART_SIZE });
  } catch (error) {
    if (signal.aborted) {
      await store.abortIncompleteUploads(bucket, key).catch(() => 0);
      throw new Interrupted();
    }
    if (error instanceof ObjectStoreNotFoundError)
      throw new CliError(`container bucket ${bucket} does not exist`);
    throw new CliError(`upload of ${input.path} failed: ${(error as Error).message}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
