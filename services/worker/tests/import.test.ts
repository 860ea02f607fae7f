import { createHash, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { images, TaskMessage } from '@cloud-images/shared';
import { freePorts } from '@cloud-images/test-stack';
import { decodeAllocationMap, isGranuleAllocated } from '@cloud-images/vhd';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../src/health-server.js';
import type { WorkerApp } from '../src/worker-app.js';
import { WorkerTestEnv } from './support/worker-test-env.js';

let env: WorkerTestEnv;
let app: WorkerApp;
let fixtures: FixtureDir;
const container = 'imports';

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-vhd-');
  await env.createContainer(container);
  app = await env.startWorker();
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
});

async function expectImported(path: string, object: string, type: 'fixed' | 'dynamic') {
  await env.uploadFile(container, object, path);
  const taskId = await env.submitTask('import', {
    import_from: `${container}/${object}`,
    image_properties: { name: object },
  });
  const task = await env.waitForTask(taskId);
  expect(task).toMatchObject({ status: 'success', message: null, attempts: 1 });
  expect(task.expiresAt).toBeInstanceOf(Date);
  expect(task.expiresAt!.getTime() - Date.now()).toBeGreaterThan(47 * 3600 * 1000);
  const imageId = (task.result as { image_id: string }).image_id;
  const [image] = await env.handle.db.select().from(images).where(eq(images.id, imageId));
  const bytes = await readFile(path);
  expect(image).toMatchObject({
    status: 'active',
    tenantId: '00000123',
    sourceTaskId: taskId,
    name: object,
    size: (await stat(path)).size,
    virtualSize: 64 * 1024 * 1024,
    checksum: createHash('md5').update(bytes).digest('hex'),
    osHashAlgo: 'sha512',
    osHashValue: createHash('sha512').update(bytes).digest('hex'),
    diskFormat: 'vhd',
    vhdType: type,
    storageKey: `images/${imageId}.vhd`,
  });
  // The stored object is the original VHD, byte for byte.
  const stored = await env.serviceS3.getObject(env.imageStoreBucket, image!.storageKey!);
  const storedHash = createHash('md5');
  for await (const chunk of stored) storedHash.update(chunk as Buffer);
  expect(storedHash.digest('hex')).toBe(image!.checksum);
  return { task, image: image! };
}

describe('import', () => {
  it('imports a fixed VHD', async () => {
    const path = await fixtures.make('fixed.vhd', 'fixed', '64M', [
      { pattern: 0xab, offset: '1M', length: '3M' },
    ]);
    const { task, image } = await expectImported(path, 'fixed.vhd', 'fixed');
    // The last progress written is the whole upload.
    expect(task.progress).toMatchObject({ stage: 'uploading', bytesDone: image.size, percent: 100 });
    const map = decodeAllocationMap(image.allocationMap!, image.virtualSize!);
    expect([0, 1, 2, 3].map((g) => isGranuleAllocated(map, g))).toEqual([true, true, false, false]);
  });

  it('imports a dynamic VHD in a multipart upload', async () => {
    // 20 MiB of data: more than two 8 MiB parts.
    const path = await fixtures.make('dynamic.vhd', 'dynamic', '64M', [
      { pattern: 0xab, offset: '0', length: '12M' },
      { pattern: 0xcd, offset: '40M', length: '8M' },
    ]);
    const { image } = await expectImported(path, 'dynamic.vhd', 'dynamic');
    expect(image.size).toBeGreaterThan(16 * 1024 * 1024);
    expect(await env.imageStoreContents()).toMatchObject({ incompleteUploads: [] });
  });

  it('fails a missing object with the documented message and leaves nothing behind', async () => {
    const before = await env.imageStoreContents();
    for (const importFrom of [`${container}/does-not-exist.vhd`, 'no-such-container/x.vhd']) {
      const taskId = await env.submitTask('import', {
        import_from: importFrom,
        image_properties: { name: 'x' },
      });
      const task = await env.waitForTask(taskId);
      expect(task).toMatchObject({
        status: 'failure',
        message: TaskMessage.importObjectNotFound,
        attempts: 1,
      });
      expect(task.expiresAt).toBeInstanceOf(Date);
      expect(await env.handle.db.select().from(images).where(eq(images.sourceTaskId, taskId))).toEqual([]);
    }
    expect(await env.imageStoreContents()).toEqual(before);
  });

  it('fails image properties other than name', async () => {
    const taskId = await env.submitTask('import', {
      import_from: `${container}/fixed.vhd`,
      image_properties: { name: 'x', os_type: 'linux' },
    });
    expect(await env.waitForTask(taskId)).toMatchObject({
      status: 'failure',
      message: TaskMessage.unsupportedImageProperty,
    });
  });

  it('never resurrects a deleted image when its import is retried: the task fails, the row stays deleted', async () => {
    const path = await fixtures.make('retried.vhd', 'fixed', '64M', []);
    await env.uploadFile(container, 'retried.vhd', path);
    // The state a retry meets after the owner deleted the image of an earlier attempt.
    const taskId = randomUUID();
    const [deleted] = await env.handle.db
      .insert(images)
      .values({
        tenantId: '00000123',
        sourceTaskId: taskId,
        name: 'gone',
        status: 'deleted',
        storageKey: 'images/x.vhd',
      })
      .returning();
    await env.submitTask(
      'import',
      { import_from: `${container}/retried.vhd`, image_properties: { name: 'gone' } },
      taskId,
    );
    const task = await env.waitForTask(taskId);
    expect(task).toMatchObject({ status: 'failure', message: TaskMessage.importImageDeleted });
    const rows = await env.handle.db.select().from(images).where(eq(images.sourceTaskId, taskId));
    expect(rows).toEqual([expect.objectContaining({ id: deleted!.id, status: 'deleted' })]);
    // Later tests compare every row's key with the store; this tombstone never had an object.
    await env.handle.db.delete(images).where(eq(images.id, deleted!.id));
  });

  it('does nothing for a job whose task is already finished', async () => {
    const taskId = await env.submitTask('import', {
      import_from: `${container}/nope.vhd`,
      image_properties: { name: 'nope' },
    });
    const done = await env.waitForTask(taskId);
    // Re-deliver the same task under a new job id, as a reconciler might.
    await env.queues.import.add('import', { taskId }, { jobId: `task-${taskId}-r1` });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await env.task(taskId)).toMatchObject({ status: 'failure', attempts: done.attempts });
  });

  it('retries transient errors and, when attempts run out, fails with the internal-error message', async () => {
    // The tenant's endpoint refuses connections: an outage, which may end, so the job is retried.
    const [closedPort] = await freePorts(1);
    const restore = await env.patchTenant({ s3Endpoint: `http://127.0.0.1:${closedPort}` });
    try {
      const taskId = await env.submitTask(
        'import',
        { import_from: `${container}/fixed.vhd`, image_properties: { name: 'x' } },
        undefined,
        {
          attempts: 2,
          backoff: { type: 'fixed', delay: 100 },
        },
      );
      const task = await env.waitForTask(taskId);
      expect(task).toMatchObject({ status: 'failure', message: TaskMessage.internalError, attempts: 2 });
      expect(task.lastError).toMatch(/ECONNREFUSED/);
    } finally {
      await restore();
    }
  });

  it('fails at once, never retried, when S3 rejects the tenant credentials or the sealed secret does not open', async () => {
    const submit = () =>
      env.submitTask(
        'import',
        { import_from: `${container}/fixed.vhd`, image_properties: { name: 'x' } },
        undefined,
        { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
      );
    // A wrong secret: the HEAD answers a bare 403, which a signed ListBuckets shows to be SignatureDoesNotMatch.
    let restore = await env.setTenantSecret('not-the-secret');
    try {
      const task = await env.waitForTask(await submit());
      expect(task).toMatchObject({
        status: 'failure',
        message: TaskMessage.tenantCredentialsRejected,
        attempts: 1,
      });
      expect(task.lastError).toMatch(/SignatureDoesNotMatch/);
    } finally {
      await restore();
    }
    // The right secret, but sealed for another tenant (a value copied between rows).
    restore = await env.patchTenant({ s3SecretKeyEncrypted: env.seal(env.tenantCreds.secretKey, 'other') });
    try {
      const task = await env.waitForTask(await submit());
      expect(task).toMatchObject({
        status: 'failure',
        message: TaskMessage.tenantCredentialsUnreadable,
        attempts: 1,
      });
      expect(task.lastError).toMatch(/sealed for another tenant/);
    } finally {
      await restore();
    }
  });

  it('shares the queue between several workers: every task runs once', async () => {
    const second = await env.startWorker({ WORKER_CONCURRENCY: '3' });
    try {
      const taskIds = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          env.submitTask('import', {
            import_from: `${container}/fixed.vhd`,
            image_properties: { name: `n${i}` },
          }),
        ),
      );
      for (const taskId of taskIds) {
        expect(await env.waitForTask(taskId)).toMatchObject({ status: 'success', attempts: 1 });
        expect(await env.handle.db.select().from(images).where(eq(images.sourceTaskId, taskId))).toHaveLength(
          1,
        );
      }
      const active = await env.handle.db.select({ key: images.storageKey }).from(images);
      expect(await env.imageStoreContents()).toEqual({
        objects: active.map((i) => i.key).sort(),
        incompleteUploads: [],
      });
    } finally {
      await second.stop();
    }
  });

  it('serves health, readiness and metrics', async () => {
    const { server, port } = await startHealthServer({
      port: 0,
      isReady: () => app.isReady(),
      registry: app.metrics.registry,
    });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toMatch(
        /cloud_images_worker_jobs_total\{queue="image-import",outcome="success"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /cloud_images_worker_jobs_total\{queue="image-import",outcome="failure"\} [1-9]/,
      );
      expect(metrics).toContain('cloud_images_worker_streamed_bytes_total');
      expect(metrics).toMatch(
        /cloud_images_worker_task_duration_seconds_count\{type="import",outcome="success"\} [1-9]/,
      );
      expect(metrics).toMatch(/cloud_images_worker_processed_bytes_total\{type="import"\} [1-9]/);
      expect(metrics).toMatch(
        /cloud_images_worker_task_failures_total\{type="import",code="object_not_found"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /cloud_images_worker_task_failures_total\{type="import",code="internal"\} [1-9]/,
      );
      expect(metrics).toMatch(/cloud_images_worker_queue_wait_seconds_count\{type="import"\} [1-9]/);
      expect(metrics).toMatch(/^cloud_images_worker_active_tasks\{type="import"\} 0$/m);
      // Bounded labels: no task id ever appears in a metric.
      expect(metrics).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    } finally {
      server.close();
    }
  });
});
