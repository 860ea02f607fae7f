import { stat } from 'node:fs/promises';
import {
  createDatabase,
  createObjectStoreFactory,
  defaultObjectStoreTimeouts,
  type ObjectStore,
} from '@cloud-images/shared';
import { s3ClientFor } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import type { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image, Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { fileHash } from '../support/file-hash.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** A fixed VHD is the whole disk plus its 512-byte footer. */
const VHD_SIZE = GIB + 512;
const NAME = 'crash-recovery 1 GiB';

type TaskProgress = { stage: string; bytes_done: number; bytes_total: number | null };

let env: E2eEnv;
let fixtures: FixtureDir;
let store: Client;
/** The worker's own incomplete-upload listing (minio's cannot see uploads on Swift). */
let objects: ObjectStore;
let importFrom: string;
let vhdMd5: string;

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-crash-');
  env = await E2eEnv.start({
    // As in the worker's own crash test: short lock and stall intervals so the killed worker's job is noticed in
    // seconds, not the production ~90 s; frequent progress writes so mid-stream is seen precisely.
    worker: { JOB_LOCK_DURATION_MS: '6000', JOB_STALLED_INTERVAL_MS: '2000', PROGRESS_INTERVAL_MS: '200' },
  });
  store = s3ClientFor(env.stack, env.stack.s3.service);
  objects = createObjectStoreFactory(defaultObjectStoreTimeouts)({
    endpoint: env.stack.s3.endpoint,
    region: env.stack.s3.region,
    ...env.stack.s3.service,
  });
  await env.tenantA.createContainer('big');
  // A fixed 1 GiB disk, sparse on local disk, with data at the start, middle and end.
  const path = await fixtures.make('big.vhd', 'fixed', '1G', [
    { pattern: 0xab, offset: '0', length: '8M' },
    { pattern: 0x5a, offset: '512M', length: '8M' },
    { pattern: 0xcd, offset: '1016M', length: '8M' },
  ]);
  expect((await stat(path)).size).toBe(VHD_SIZE);
  [vhdMd5, importFrom] = await Promise.all([
    fileHash(path, 'md5'),
    env.tenantA.upload('big', 'big.vhd', path),
  ]);
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
});

/** Polls GET /v2/tasks/{id} until the upload stage is at least `atLeast` bytes in, and not finished. */
async function waitForMidStream(taskId: string, atLeast: number): Promise<TaskProgress> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await env.tenantA.api.getTask(taskId);
    if (body.status !== 'pending' && body.status !== 'processing')
      throw new Error(`task ended before mid-stream: ${JSON.stringify(body)}`);
    const progress = (body as Task & { progress?: TaskProgress }).progress;
    if (progress?.stage === 'uploading' && progress.bytes_done >= atLeast) return progress;
    if (Date.now() > deadline)
      throw new Error(`upload never reached ${atLeast} bytes: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedObjects(): Promise<{ name: string; size: number }[]> {
  const objects: { name: string; size: number }[] = [];
  for await (const item of store.listObjectsV2(env.env['IMAGE_STORE_BUCKET']!, '', true))
    if (item.name) objects.push({ name: item.name, size: item.size });
  return objects;
}

async function taskAttempts(taskId: string): Promise<number> {
  const handle = createDatabase({ url: env.env['DATABASE_URL']!, poolMax: 1, applicationName: 'e2e-test' });
  try {
    const { rows } = await handle.pool.query<{ attempts: number }>(
      'SELECT attempts FROM tasks WHERE id = $1',
      [taskId],
    );
    return rows[0]!.attempts;
  } finally {
    await handle.close();
  }
}

describe('crash recovery through the API', () => {
  it('a worker SIGKILLed mid-import of a 1 GiB image is restarted and finishes the task exactly once', async () => {
    const { tenantA } = env;
    const bucket = env.env['IMAGE_STORE_BUCKET']!;
    const created = await tenantA.api.createTask('import', {
      import_from: importFrom,
      image_properties: { name: NAME },
    });

    const progress = await waitForMidStream(created.id, 200 * MIB);
    const killedPid = env.workerProcess.pid;
    await env.killWorker();
    expect(progress.bytes_total).toBe(VHD_SIZE);
    expect(progress.bytes_done).toBeLessThan(VHD_SIZE);

    // The dead worker left the task processing, an unfinished multipart upload, and no stored object.
    expect((await tenantA.api.getTask(created.id)).body.status).toBe('processing');
    expect((await objects.listIncompleteUploads(bucket, '')).length).toBeGreaterThan(0);
    expect(await storedObjects()).toEqual([]);

    await env.startWorker();
    expect(env.workerProcess.pid).not.toBe(killedPid);
    const task = await tenantA.api.waitForTask(created.id, 90_000);
    expect(task, JSON.stringify(task)).toMatchObject({
      status: 'success',
      result: { image_id: expect.any(String) },
    });
    const imageId = task.result!['image_id'] as string;

    // Exactly one image for this import, active, of the uploaded size and MD5.
    const list = await tenantA.api.request<{ images: Image[] }>('GET', '/v2/images');
    expect(list.status).toBe(200);
    const named = list.body.images.filter((image) => image.name === NAME);
    expect(named.map((image) => image.id)).toEqual([imageId]);
    expect(list.body.images).toHaveLength(1);
    expect(named[0]).toMatchObject({ status: 'active', size: VHD_SIZE });
    const image = await tenantA.api.getImage(imageId);
    expect(image.status).toBe(200);
    expect(image.body).toMatchObject({
      id: imageId,
      name: NAME,
      status: 'active',
      size: VHD_SIZE,
      virtual_size: GIB,
      checksum: vhdMd5,
    });

    // Exactly one stored object, of the full size; the killed attempt's multipart upload was aborted.
    expect(await storedObjects()).toEqual([{ name: `images/${imageId}.vhd`, size: VHD_SIZE }]);
    expect(await objects.listIncompleteUploads(bucket, '')).toEqual([]);

    // The crashed claim and the one that finished.
    expect(await taskAttempts(created.id)).toBeGreaterThanOrEqual(2);
  });
});
