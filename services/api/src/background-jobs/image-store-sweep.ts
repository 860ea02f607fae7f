import { type Database, type ImageStore, images } from '@cloud-images/shared';
import { and, inArray } from 'drizzle-orm';
import type { ApiMetrics } from '../operations/metrics.js';

/** Where the worker writes images (services/worker storageKeyForImage): the only prefix the sweep touches. */
const IMAGE_PREFIX = 'images/';
const LIVE_STATUSES = ['queued', 'saving', 'active'] as const;

export interface ImageStoreSweepOptions {
  /** An object younger than this is never removed, whatever the rows say: an import may be about to record it. */
  graceSeconds: number;
  /** A multipart upload started longer ago than this is abandoned (a crashed or killed import). */
  uploadMaxAgeSeconds: number;
  now: Date;
}

export interface ImageStoreSweepResult {
  objectsRemoved: number;
  uploadsAborted: number;
}

async function liveKeys(db: Database, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: images.storageKey })
    .from(images)
    .where(and(inArray(images.storageKey, keys), inArray(images.status, [...LIVE_STATUSES])));
  return new Set(rows.map((row) => row.key ?? ''));
}

/**
 * Removes image-store objects that no queued, saving or active image row claims and that are older than the grace
 * age, and aborts multipart uploads older than the upload age. This is what catches an object whose removal failed
 * when its image was deleted, or an upload a killed worker left behind. Objects are checked in pages of 500 keys.
 */
export async function sweepImageStore(
  db: Database,
  store: ImageStore,
  options: ImageStoreSweepOptions,
): Promise<ImageStoreSweepResult> {
  const now = options.now.getTime();
  const graceCutoff = now - options.graceSeconds * 1000;
  const old = (await store.objects.listObjects(store.bucket, IMAGE_PREFIX)).filter(
    (object) => object.lastModified.getTime() < graceCutoff,
  );
  let objectsRemoved = 0;
  for (let start = 0; start < old.length; start += 500) {
    const page = old.slice(start, start + 500);
    const live = await liveKeys(
      db,
      page.map((object) => object.key),
    );
    for (const object of page) {
      if (live.has(object.key)) continue;
      await store.objects.remove(store.bucket, object.key);
      objectsRemoved++;
    }
  }

  // The port aborts every upload of a key at once, so a key is aborted only when all of its uploads are stale:
  // a fresh retry of the same import is never cut off.
  const uploadCutoff = now - options.uploadMaxAgeSeconds * 1000;
  const uploads = await store.objects.listIncompleteUploads(store.bucket, IMAGE_PREFIX);
  const staleByKey = new Map<string, boolean>();
  for (const upload of uploads) {
    const stale = upload.initiated !== undefined && upload.initiated.getTime() < uploadCutoff;
    staleByKey.set(upload.key, (staleByKey.get(upload.key) ?? true) && stale);
  }
  let uploadsAborted = 0;
  for (const [key, stale] of staleByKey) {
    if (stale) uploadsAborted += await store.objects.abortIncompleteUploads(store.bucket, key);
  }
  return { objectsRemoved, uploadsAborted };
}

/** One sweep, counted in `cloud_images_image_store_swept_total{kind}`: what the API's maintenance timer runs. */
export async function sweepImageStoreAndCount(
  db: Database,
  store: ImageStore,
  metrics: Pick<ApiMetrics, 'imageStoreSwept'>,
  options: ImageStoreSweepOptions,
): Promise<ImageStoreSweepResult> {
  const swept = await sweepImageStore(db, store, options);
  metrics.imageStoreSwept.inc({ kind: 'object' }, swept.objectsRemoved);
  metrics.imageStoreSwept.inc({ kind: 'multipart_upload' }, swept.uploadsAborted);
  return swept;
}
