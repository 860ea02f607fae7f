import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TaskProgress } from '@cloud-images/shared';
import { FixtureDir, type QemuWrite } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_TASK_METADATA } from '../src/export/export-image-to-container.js';
import { WorkerTestEnv } from './support/worker-test-env.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** 96 regions of 4 MiB (two 2 MiB blocks each), one every 10 MiB, each with its own byte: 384 MiB of data. */
const REGIONS = 96;
const REGION_MIB = 4;

let env: WorkerTestEnv;
let fixtures: FixtureDir;
let sourceVhd: string;

// Short lock and stall intervals so a killed worker's job is noticed in seconds, not the production ~90 s.
const startWorkerProcess = () =>
  env.startWorkerProcess({ JOB_LOCK_DURATION_MS: '6000', JOB_STALLED_INTERVAL_MS: '2000' });

async function waitForExportedBytes(taskId: string, atLeast: number): Promise<TaskProgress> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { progress, status } = await env.task(taskId);
    if (status !== 'processing' && status !== 'pending') throw new Error(`task ended early: ${status}`);
    if (progress?.stage === 'exporting' && progress.bytesDone >= atLeast) return progress;
    if (Date.now() > deadline)
      throw new Error(`export never reached ${atLeast} bytes: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MIB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-export-crash-');
  await env.createContainer('imports');
  await env.createContainer('exports');
  // A 1 GiB dynamic VHD with 384 MiB allocated. Regions are written in a scrambled order (37 is coprime to 96),
  // so the blocks' order in the file differs from their order on the disk.
  const writes: QemuWrite[] = [];
  for (let n = 0; n < REGIONS; n++) {
    const i = (n * 37) % REGIONS;
    writes.push({ pattern: i + 1, offset: `${i * 10}M`, length: `${REGION_MIB}M` });
  }
  sourceVhd = await fixtures.make('source.vhd', 'dynamic', '1G', writes);
  expect((await stat(sourceVhd)).size).toBeGreaterThan(REGIONS * REGION_MIB * MIB);
  await env.uploadFile('imports', 'source.vhd', sourceVhd);
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
});

describe('export crash recovery', () => {
  it('finishes an export exactly once after its worker is SIGKILLed mid-stream', async () => {
    const first = await startWorkerProcess();
    const imported = await env.waitForTask(
      await env.submitTask('import', {
        import_from: 'imports/source.vhd',
        image_properties: { name: 'big' },
      }),
    );
    expect(imported.status).toBe('success');
    const imageId = (imported.result as { image_id: string }).image_id;
    const objectName = `${imageId}.vhd`;

    const taskId = await env.submitTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'exports',
    });
    const midway = await waitForExportedBytes(taskId, 64 * MIB);
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // Killed mid-stream: the VHD is a few hundred MiB, the dead worker had sent only part of it, left the task
    // processing, the multipart upload unfinished and no object in the container.
    const exportSize = midway.bytesTotal!;
    expect(exportSize).toBeGreaterThan(REGIONS * REGION_MIB * MIB);
    expect(midway.bytesDone).toBeLessThan(exportSize);
    expect((await env.task(taskId)).status).toBe('processing');
    const afterKill = await env.containerContents('exports');
    expect(afterKill.objects).toEqual([]);
    expect(afterKill.incompleteUploads).toContain(objectName);

    const second = await startWorkerProcess();
    // While the dead worker's lock runs out, qemu computes the source's disk content.
    const [task, sourceHash] = await Promise.all([
      env.waitForTask(taskId, 90_000),
      fixtures.toRaw(sourceVhd, 'source.raw').then(sha256Of),
    ]);
    expect(task).toMatchObject({
      status: 'success',
      message: null,
      result: { export_location: `exports/${objectName}` },
      progress: { stage: 'exporting', percent: 100, bytesDone: exportSize },
    });
    expect(task.attempts).toBeGreaterThanOrEqual(2);

    // Exactly one object, written by this task, and nothing unfinished left behind by the killed attempt.
    expect(await env.containerContents('exports')).toEqual({ objects: [objectName], incompleteUploads: [] });
    const object = await env.tenantS3.statObject(env.bucketFor('exports'), objectName);
    expect(object.size).toBe(exportSize);
    expect(object.metaData[EXPORT_TASK_METADATA.replace('x-amz-meta-', '')]).toBe(taskId);

    // The exported VHD holds the same disk as the source.
    const exported = fixtures.file('exported.vhd');
    await env.tenantS3.fGetObject(env.bucketFor('exports'), objectName, exported);
    const info = JSON.parse((await run('qemu-img', ['info', '-f', 'vpc', '--output=json', exported])).stdout);
    expect(info['virtual-size']).toBe(GIB);
    expect(await sha256Of(await fixtures.toRaw(exported, 'exported.raw'))).toBe(sourceHash);

    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    // A 1 GiB import, a killed export and a full re-export, then two qemu conversions: ~40 s on an idle 2-core
    // machine, but 116 s was measured with other suites sharing the cores, so the default 120 s is no margin.
  }, 300_000);
});
