import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { images } from '@cloud-images/shared';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerTestEnv } from './support/worker-test-env.js';

const MIB = 1024 * 1024;
let env: WorkerTestEnv;
let fixtures: FixtureDir;
let vhdPath: string;
let vhdMd5: string;

// Short lock and stall intervals so a killed worker's job is noticed in seconds, not the production ~90 s.
const startWorkerProcess = (extra: Record<string, string> = {}) =>
  env.startWorkerProcess({ JOB_LOCK_DURATION_MS: '6000', JOB_STALLED_INTERVAL_MS: '2000', ...extra });

async function waitForUploadedBytes(taskId: string, atLeast: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { progress, status } = await env.task(taskId);
    if (status !== 'processing' && status !== 'pending') throw new Error(`task ended early: ${status}`);
    if (progress?.stage === 'uploading' && progress.bytesDone >= atLeast) return;
    if (Date.now() > deadline)
      throw new Error(`upload never reached ${atLeast} bytes: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: MIB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-vhd-');
  await env.createContainer('big');
  // A 1 GiB fixed VHD (sparse on disk) with data at both ends.
  vhdPath = await fixtures.make('big.vhd', 'fixed', '1G', [
    { pattern: 0xab, offset: '0', length: '8M' },
    { pattern: 0xcd, offset: '1000M', length: '8M' },
  ]);
  expect((await stat(vhdPath)).size).toBe(1024 * MIB + 512);
  [vhdMd5] = await Promise.all([md5Of(vhdPath), env.uploadFile('big', 'big.vhd', vhdPath)]);
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
});

async function expectImportedExactlyOnce(taskId: string) {
  const task = await env.waitForTask(taskId, 150_000);
  expect(task.status).toBe('success');
  const rows = await env.handle.db.select().from(images).where(eq(images.sourceTaskId, taskId));
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    status: 'active',
    sourceTaskId: taskId,
    checksum: vhdMd5,
    size: 1024 * MIB + 512,
  });
  expect((task.result as { image_id: string }).image_id).toBe(rows[0]!.id);
  const all = await env.handle.db.select({ key: images.storageKey }).from(images);
  const store = await env.imageStoreContents();
  // One stored object per image, none left over from the interrupted attempt, no unfinished uploads.
  expect(store).toEqual({ objects: all.map((i) => i.key).sort(), incompleteUploads: [] });
  expect(store.objects).toContain(rows[0]!.storageKey);
  return task;
}

describe('crash recovery', () => {
  it('finishes a 1 GiB import exactly once after its worker is SIGKILLed mid-stream', async () => {
    const first = await startWorkerProcess();
    const taskId = await env.submitTask('import', {
      import_from: 'big/big.vhd',
      image_properties: { name: 'big' },
    });
    await waitForUploadedBytes(taskId, 300 * MIB);
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // The dead worker left the task processing and a multipart upload unfinished.
    expect((await env.task(taskId)).status).toBe('processing');
    expect((await env.imageStoreContents()).incompleteUploads.length).toBeGreaterThan(0);

    const second = await startWorkerProcess();
    const task = await expectImportedExactlyOnce(taskId);
    expect(task.attempts).toBe(2);

    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM past the shutdown deadline, hands the running job back; another worker finishes it', async () => {
    const worker = await startWorkerProcess({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const taskId = await env.submitTask('import', {
      import_from: 'big/big.vhd',
      image_properties: { name: 'big2' },
    });
    await waitForUploadedBytes(taskId, 100 * MIB);
    const signalled = Date.now();
    expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(worker.log.text).toContain('handing the job back');
    // Handed back: not failed, no attempt spent, the task still processing, the aborted upload removed.
    const job = await env.queues.import.getJob(`task-${taskId}`);
    expect(['delayed', 'waiting']).toContain(await job!.getState());
    expect(job!.attemptsMade).toBe(0);
    expect((await env.task(taskId)).status).toBe('processing');
    expect((await env.imageStoreContents()).incompleteUploads).toEqual([]);

    const next = await startWorkerProcess();
    await expectImportedExactlyOnce(taskId);
    expect(await next.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
