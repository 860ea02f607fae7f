import type { Readable } from 'node:stream';
import type { Client } from 'minio';

/** The service-owned bucket that holds imported images, reached with the service's own credentials. */
export interface ImageStore {
  client: Client;
  bucket: string;
}

function isMissingObject(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

/** A stream of the stored object, or undefined if it is not there. Never buffers the object. */
export async function openImageObject(store: ImageStore, key: string): Promise<Readable | undefined> {
  try {
    return await store.client.getObject(store.bucket, key);
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

export async function removeImageObject(store: ImageStore, key: string): Promise<void> {
  try {
    await store.client.removeObject(store.bucket, key);
  } catch (error) {
    if (!isMissingObject(error)) throw error;
  }
}
