import { TaskMessage } from '@cloud-images/shared';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerTestEnv } from './support/worker-test-env.js';

/**
 * The worker reads a tenant's credentials when a task starts, never from a cache, and keeps them for that task:
 * a `tenant update` mid-task does not break the running task, and the next task uses the new row.
 */

let env: WorkerTestEnv;
let fixtures: FixtureDir;

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-rotation-');
  await env.createContainer('rot');
  // Big enough that the upload is still running when the credentials change under it.
  const path = await fixtures.make('mid.vhd', 'fixed', '256M', [
    { pattern: 0x5a, offset: '0', length: '4M' },
  ]);
  await env.uploadFile('rot', 'mid.vhd', path);
  await env.startWorkerProcess();
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
});

async function waitForUploading(taskId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { progress, status } = await env.task(taskId);
    if (status !== 'processing' && status !== 'pending') throw new Error(`task ended early: ${status}`);
    if (progress?.stage === 'uploading' && progress.bytesDone > 0) return;
    if (Date.now() > deadline) throw new Error(`upload never started: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('credentials change while a task runs', () => {
  it('the running task finishes with the credentials it started with; the next one uses the new ones', async () => {
    const input = { import_from: 'rot/mid.vhd', image_properties: { name: 'mid' } };
    const running = await env.submitTask('import', input);
    await waitForUploading(running);
    const restore = await env.setTenantSecret('rotated-to-a-wrong-secret');
    try {
      // The update landed mid-upload (not vacuous): the task was still running.
      expect((await env.task(running)).status).toBe('processing');
      expect(await env.waitForTask(running, 120_000)).toMatchObject({ status: 'success', attempts: 1 });
      const next = await env.waitForTask(await env.submitTask('import', input));
      expect(next).toMatchObject({ status: 'failure', message: TaskMessage.tenantCredentialsRejected });
    } finally {
      await restore();
    }
  });
});
