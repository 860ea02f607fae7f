import { createObjectStoreFactory, type ImageStore, images, objectStoreTimeouts } from '@cloud-images/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepImageStore, sweepImageStoreAndCount } from '../src/background-jobs/image-store-sweep.js';
import { createApiMetrics } from '../src/operations/metrics.js';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
let store: ImageStore;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  store = {
    objects: createObjectStoreFactory(objectStoreTimeouts(t.config))({
      endpoint: t.config.S3_ENDPOINT,
      region: t.config.S3_REGION,
      accessKey: t.config.S3_ACCESS_KEY,
      secretKey: t.config.S3_SECRET_KEY,
    }),
    bucket: t.imageBucket,
    partSize: t.config.S3_PART_SIZE,
  };
});
afterAll(() => t?.close());

const put = (key: string) => t.imageStoreClient.putObject(t.imageBucket, key, Buffer.from('x'), 1);
const exists = (key: string) =>
  t.imageStoreClient.statObject(t.imageBucket, key).then(
    () => true,
    () => false,
  );
const hours = (n: number) => new Date(Date.now() + n * 3600 * 1000);

describe('image-store sweep', () => {
  it('removes old objects no live row claims, keeps live and young ones, and aborts stale uploads', async () => {
    const [orphan, deleted, active, saving, outside] = [
      'images/orphan.vhd',
      'images/deleted.vhd',
      'images/active.vhd',
      'images/saving.vhd',
      'other/keep.vhd',
    ];
    for (const key of [orphan, deleted, active, saving, outside]) await put(key);
    await t.db.insert(images).values([
      { tenantId: tenant.id, status: 'deleted', storageKey: deleted },
      { tenantId: tenant.id, status: 'active', storageKey: active },
      { tenantId: tenant.id, status: 'saving', storageKey: saving },
    ]);
    // An upload a killed import left behind.
    await t.imageStoreClient.initiateNewMultipartUpload(t.imageBucket, 'images/stale.vhd', {});

    // Within the grace age nothing goes, not even the orphan.
    const young = await sweepImageStore(t.db, store, {
      graceSeconds: 3600,
      uploadMaxAgeSeconds: 3600,
      now: new Date(),
    });
    expect(young).toEqual({ objectsRemoved: 0, uploadsAborted: 0 });
    expect(await exists(orphan)).toBe(true);

    const later = await sweepImageStore(t.db, store, {
      graceSeconds: 3600,
      uploadMaxAgeSeconds: 3600,
      now: hours(2),
    });
    expect(later).toEqual({ objectsRemoved: 2, uploadsAborted: 1 });
    expect(await exists(orphan)).toBe(false);
    expect(await exists(deleted)).toBe(false);
    expect(await exists(active)).toBe(true);
    expect(await exists(saving)).toBe(true);
    expect(await exists(outside)).toBe(true);
    expect(await store.objects.listIncompleteUploads(t.imageBucket, 'images/')).toEqual([]);
  });

  it('counts what it removed, by kind, in the counter the timer exports', async () => {
    const metrics = createApiMetrics(t.db);
    await put('images/counted-orphan.vhd');
    await t.imageStoreClient.initiateNewMultipartUpload(t.imageBucket, 'images/counted-stale.vhd', {});
    const swept = await sweepImageStoreAndCount(t.db, store, metrics, {
      graceSeconds: 3600,
      uploadMaxAgeSeconds: 3600,
      now: hours(2),
    });
    expect(swept).toEqual({ objectsRemoved: 1, uploadsAborted: 1 });
    const counted = (await metrics.imageStoreSwept.get()).values.map((v) => [v.labels.kind, v.value]);
    expect(counted.sort()).toEqual([
      ['multipart_upload', 1],
      ['object', 1],
    ]);
  });

  it('declares its counter in /metrics', async () => {
    const metrics = (await t.opsRequest('GET', '/metrics')).body;
    expect(metrics).toContain('# TYPE cloud_images_image_store_swept_total counter');
  });
});
