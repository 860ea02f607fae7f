import { createObjectStoreClient } from '@cloud-images/shared';
import type { Client } from 'minio';

/** The service's private bucket of imported images, reached with the service's own credentials. */
export interface ImageStore {
  client: Client;
  bucket: string;
  partSize: number;
}

export function createImageStore(options: {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  partSize: number;
}): ImageStore {
  const { bucket, partSize, ...target } = options;
  return { client: createObjectStoreClient(target, partSize), bucket, partSize };
}

/** Creates the bucket on first start; harmless when another worker races to create it. */
export async function ensureImageStoreBucket(store: ImageStore, region: string): Promise<void> {
  if (await store.client.bucketExists(store.bucket)) return;
  try {
    await store.client.makeBucket(store.bucket, region);
  } catch (error) {
    if (!(await store.client.bucketExists(store.bucket))) throw error;
  }
}
