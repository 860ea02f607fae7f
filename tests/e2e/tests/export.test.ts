import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TaskMessage } from '@cloud-images/shared';
import { FixtureDir, qemuInfo } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { fileHash } from '../support/file-hash.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let env: E2eEnv;
let fixtures: FixtureDir;
let source: string;
let imageId: string;

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-vhd-');
  env = await E2eEnv.start();
  const { tenantA } = env;
  await tenantA.createContainer('imports');
  await tenantA.createContainer('exports');
  // 24 MiB virtual, data in 2 MiB blocks 0, 1, 7 and 11 only.
  source = await fixtures.make('source.vhd', 'dynamic', '24M', [
    { pattern: 0xab, offset: '0', length: '3M' },
    { pattern: 0x5a, offset: '14M', length: '1M' },
    { pattern: 0xe7, offset: '23M', length: '4k' },
  ]);
  const task = await tenantA.api.runTask('import', {
    import_from: await tenantA.upload('imports', 'source.vhd', source),
    image_properties: { name: 'export me' },
  });
  expect(task.status, JSON.stringify(task)).toBe('success');
  imageId = task.result!['image_id'] as string;
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
});

async function exportTo(tenant: 'tenantA' | 'tenantB', container: string): Promise<Task> {
  return env[tenant].api.runTask('export', { image_uuid: imageId, receiving_swift_container: container });
}

function expectFailure(task: Task, message: string) {
  expect(task, JSON.stringify(task)).toMatchObject({
    status: 'failure',
    message,
    expires_at: expect.stringMatching(TIMESTAMP),
  });
  expect(task.result ?? null).toBeNull();
}

describe('export through the API', () => {
  it('exports the image to the tenant container; the disk content equals the upload; it imports again', async () => {
    const { tenantA } = env;
    const task = await exportTo('tenantA', 'exports');
    expect(task, JSON.stringify(task)).toMatchObject({
      type: 'export',
      status: 'success',
      message: 'None',
      owner: tenantA.id,
      input: { image_uuid: imageId, receiving_swift_container: 'exports' },
      result: { export_location: `exports/${imageId}.vhd` },
      expires_at: expect.stringMatching(TIMESTAMP),
    });

    // Downloaded as the tenant would, with the tenant's own credentials.
    const exported = await tenantA.download('exports', `${imageId}.vhd`, fixtures.file('exported.vhd'));
    expect((await qemuInfo(exported))['virtual-size']).toBe(24 * MIB);
    const exportedRaw = await fixtures.toRaw(exported, 'exported.raw');
    const sourceRaw = await fixtures.toRaw(source, 'source.raw');
    expect(await fileHash(exportedRaw, 'sha256')).toBe(await fileHash(sourceRaw, 'sha256'));
    await run('qemu-img', ['compare', '-q', '-f', 'vpc', '-F', 'vpc', source, exported]);

    const reimport = await tenantA.api.runTask('import', {
      import_from: await tenantA.upload('imports', 'reimport.vhd', exported),
      image_properties: { name: 'round trip' },
    });
    expect(reimport, JSON.stringify(reimport)).toMatchObject({ status: 'success', message: 'None' });
    const image = await tenantA.api.getImage(reimport.result!['image_id'] as string);
    expect(image.body).toMatchObject({
      status: 'active',
      virtual_size: 24 * MIB,
      checksum: await fileHash(exported, 'md5'),
    });
  });

  it('fails when <image_uuid>.vhd is already in the container', async () => {
    // Runs after the successful export above, which left exports/<uuid>.vhd behind.
    await env.tenantA.s3.statObject(env.tenantA.bucketFor('exports'), `${imageId}.vhd`);
    const task = await exportTo('tenantA', 'exports');
    expectFailure(task, `Swift already has an object with id '${imageId}.vhd' in container 'exports'`);
    expect(task.message).toBe(TaskMessage.exportObjectExists(`${imageId}.vhd`, 'exports'));
  });

  it('fails when the container does not exist', async () => {
    const task = await exportTo('tenantA', 'nowhere');
    expectFailure(task, 'Container not found. Container: nowhere');
  });

  it("fails for a container name with '.'", async () => {
    const task = await exportTo('tenantA', 'bad.name');
    expectFailure(task, TaskMessage.exportInvalidContainer('bad.name'));
  });

  it("fails when tenant B exports tenant A's image", async () => {
    const { tenantB } = env;
    await tenantB.createContainer('exports');
    const task = await exportTo('tenantB', 'exports');
    expect(task.owner).toBe(tenantB.id);
    expectFailure(task, 'An image may only be exported by the image owner.');
    const objects: string[] = [];
    for await (const item of tenantB.s3.listObjectsV2(tenantB.bucketFor('exports'), '', true)) {
      if (item.name) objects.push(item.name);
    }
    expect(objects).toEqual([]);
  });
});
