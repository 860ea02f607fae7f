import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { images, TaskMessage } from '@cloud-images/shared';
import { seedTenant } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_TASK_METADATA } from '../src/export/export-image-to-container.js';
import { WorkerTestEnv } from './support/worker-test-env.js';

const run = promisify(execFile);
let env: WorkerTestEnv;
let fixtures: FixtureDir;
let source: string;
let imageId: string;
const MIB = 1024 * 1024;

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-vhd-');
  await env.createContainer('imports');
  await env.createContainer('exports');
  await env.startWorker();
  // 64 MiB virtual, data in 2 MiB granules 0, 1 and 15 only.
  source = await fixtures.make('source.vhd', 'dynamic', '64M', [
    { pattern: 0xab, offset: '0', length: '3M' },
    { pattern: 0x5a, offset: '30M', length: '1M' },
  ]);
  await env.uploadFile('imports', 'source.vhd', source);
  const task = await env.waitForTask(
    await env.submitTask('import', {
      import_from: 'imports/source.vhd',
      image_properties: { name: 'source' },
    }),
  );
  expect(task.status).toBe('success');
  imageId = (task.result as { image_id: string }).image_id;
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
});

async function download(container: string, object: string, name: string): Promise<string> {
  const path = fixtures.file(name);
  await env.tenantS3.fGetObject(env.bucketFor(container), object, path);
  return path;
}

async function expectSameDisk(exportedVhd: string, name: string) {
  const exportedRaw = await fixtures.toRaw(exportedVhd, `${name}.raw`);
  const sourceRaw = await fixtures.toRaw(source, `${name}-source.raw`);
  // A fixed export is padded to a whole MiB; the source is 64 MiB already, so the raws must be identical.
  expect((await readFile(exportedRaw)).equals(await readFile(sourceRaw))).toBe(true);
}

describe('export', () => {
  it('exports a dynamic VHD holding only the allocated blocks, which converts back and imports again', async () => {
    const taskId = await env.submitTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'exports',
    });
    const task = await env.waitForTask(taskId);
    expect(task).toMatchObject({
      status: 'success',
      message: null,
      result: { export_location: `exports/${imageId}.vhd` },
    });
    expect(task.progress).toMatchObject({ stage: 'exporting', percent: 100 });
    const exported = await download('exports', `${imageId}.vhd`, 'exported.vhd');
    // Three 2 MiB blocks plus metadata.
    const size = (await stat(exported)).size;
    expect(size).toBeGreaterThan(6 * MIB);
    expect(size).toBeLessThan(7 * MIB);
    const info = JSON.parse((await run('qemu-img', ['info', '-f', 'vpc', '--output=json', exported])).stdout);
    expect(info['virtual-size']).toBe(64 * MIB);
    await expectSameDisk(exported, 'dynamic');
    expect(await env.containerContents('exports')).toMatchObject({ incompleteUploads: [] });

    const stat2 = await env.tenantS3.statObject(env.bucketFor('exports'), `${imageId}.vhd`);
    expect(stat2.metaData[EXPORT_TASK_METADATA.replace('x-amz-meta-', '')]).toBe(taskId);

    await env.tenantS3.fPutObject(env.bucketFor('imports'), 'reimport.vhd', exported);
    const reimport = await env.waitForTask(
      await env.submitTask('import', {
        import_from: 'imports/reimport.vhd',
        image_properties: { name: 'reimport' },
      }),
    );
    expect(reimport.status).toBe('success');
  });

  it('exports a fixed VHD when input.format is "fixed"', async () => {
    await env.createContainer('fixed-exports');
    const taskId = await env.submitTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'fixed-exports',
      format: 'fixed',
    });
    expect(await env.waitForTask(taskId)).toMatchObject({ status: 'success' });
    const exported = await download('fixed-exports', `${imageId}.vhd`, 'exported-fixed.vhd');
    expect((await stat(exported)).size).toBe(64 * MIB + 512);
    await expectSameDisk(exported, 'fixed');
  });

  it('fails when the object is already in the container', async () => {
    const taskId = await env.submitTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'exports',
    });
    expect(await env.waitForTask(taskId)).toMatchObject({
      status: 'failure',
      message: TaskMessage.exportObjectExists(`${imageId}.vhd`, 'exports'),
      attempts: 1,
    });
  });

  it('finishes as success when a crashed earlier attempt of the same task already wrote the object', async () => {
    await env.createContainer('retried');
    const taskId = randomUUID();
    await env.tenantS3.putObject(env.bucketFor('retried'), `${imageId}.vhd`, Buffer.from('done'), 4, {
      [EXPORT_TASK_METADATA]: taskId,
    });
    await env.submitTask('export', { image_uuid: imageId, receiving_swift_container: 'retried' }, taskId);
    expect(await env.waitForTask(taskId)).toMatchObject({
      status: 'success',
      result: { export_location: `retried/${imageId}.vhd` },
    });
  });

  it('fails for a container that does not exist', async () => {
    const taskId = await env.submitTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'nowhere',
    });
    expect(await env.waitForTask(taskId)).toMatchObject({
      status: 'failure',
      message: TaskMessage.exportContainerNotFound('nowhere'),
    });
  });

  it('fails for an invalid container name', async () => {
    for (const container of ['bad.name', 'a/b', 'what?']) {
      const taskId = await env.submitTask('export', {
        image_uuid: imageId,
        receiving_swift_container: container,
      });
      expect(await env.waitForTask(taskId)).toMatchObject({
        status: 'failure',
        message: TaskMessage.exportInvalidContainer(container),
      });
    }
  });

  it('fails for an image the caller does not own, without revealing whether it exists', async () => {
    await seedTenant(env.handle.pool, {
      id: 'other',
      name: 'other',
      credentials: { accessKey: 'x', secretKey: 'y' },
      seal: (secret, tenantId) => env.seal(secret, tenantId),
    });
    const [foreign] = await env.handle.db
      .insert(images)
      .values({ tenantId: 'other', status: 'active', name: 'theirs' })
      .returning();
    for (const image of [foreign!.id, randomUUID()]) {
      const taskId = await env.submitTask('export', {
        image_uuid: image,
        receiving_swift_container: 'exports',
      });
      expect(await env.waitForTask(taskId)).toMatchObject({
        status: 'failure',
        message: TaskMessage.exportNotOwner,
      });
    }
  });

  it('fails a stored task whose input breaks the contract, naming the problem, without retrying', async () => {
    const taskId = await env.submitTask('export', {
      image_uuid: 'not-a-uuid',
      receiving_swift_container: 'exports',
    });
    expect(await env.waitForTask(taskId)).toMatchObject({
      status: 'failure',
      message: TaskMessage.invalidTaskInput("'input.image_uuid' must be a UUID."),
      attempts: 1,
    });
  });
});
