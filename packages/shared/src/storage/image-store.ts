import { type ObjectStoreConfig, objectStoreTimeouts } from '../config/fragments.js';
import { createObjectStoreFactory } from './minio-object-store.js';
import type { ObjectStore } from './object-store.js';

/**
 * The service's private bucket of imported images, reached with the service's own credentials. One declaration
 * for the API (download, delete) and the worker (import writes it, export reads it).
 */
export interface ImageStore {
  objects: ObjectStore;
  bucket: string;
  /** Multipart part size of every upload the worker makes (the memory knob, S3_PART_SIZE). */
  partSize: number;
}

/** The image store a service's config names: the service's own credentials, on the default endpoint. */
export function openImageStore(config: ObjectStoreConfig): ImageStore {
  return {
    objects: createObjectStoreFactory(objectStoreTimeouts(config))({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
    }),
    bucket: config.IMAGE_STORE_BUCKET,
    partSize: config.S3_PART_SIZE,
  };
}

/** Creates the bucket on first start; harmless when another worker races to create it. */
export async function ensureImageStoreBucket(store: ImageStore, region: string): Promise<void> {
  if (await store.objects.bucketExists(store.bucket)) return;
  try {
    await store.objects.makeBucket(store.bucket, region);
  } catch (error) {
    if (!(await store.objects.bucketExists(store.bucket))) throw error;
  }
}
