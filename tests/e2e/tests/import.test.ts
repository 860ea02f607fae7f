import { readFile, stat } from 'node:fs/promises';
import { UUID_PATTERN } from '@cloud-images/shared';
import { FixtureDir, qemuInfo } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { fileHash } from '../support/file-hash.js';

const MIB = 1024 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let env: E2eEnv;
let fixtures: FixtureDir;
/** Filled by the import tests, read by the tenancy tests. */
const imported: { task?: Task; imageId?: string } = {};

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-vhd-');
  env = await E2eEnv.start();
  await env.tenantA.createContainer('imports');
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
});

/** Uploads `path` to tenant A's `imports` container, imports it through the API and checks every visible fact. */
async function importAndVerify(path: string, name: string, virtualSize: number) {
  const { tenantA } = env;
  const object = path.split('/').at(-1)!;
  const importFrom = await tenantA.upload('imports', object, path);

  const created = await tenantA.api.createTask('import', {
    import_from: importFrom,
    image_properties: { name },
  });
  expect(created).toMatchObject({ type: 'import', status: 'pending', message: 'None', owner: tenantA.id });

  const task = await tenantA.api.waitForTask(created.id);
  expect(task, JSON.stringify(task)).toMatchObject({
    id: created.id,
    status: 'success',
    message: 'None',
    owner: tenantA.id,
    input: { import_from: importFrom, image_properties: { name } },
    result: { image_id: expect.stringMatching(UUID_PATTERN) },
    expires_at: expect.stringMatching(TIMESTAMP),
  });
  // 48 h TTL by default.
  const ttl = Date.parse(task.expires_at!) - Date.parse(task.updated_at);
  expect(ttl).toBeGreaterThan(47 * 3600_000);
  expect(ttl).toBeLessThanOrEqual(48 * 3600_000 + 1000);
  const imageId = task.result!['image_id'] as string;

  const image = await tenantA.api.getImage(imageId);
  expect(image.status).toBe(200);
  expect(image.body).toMatchObject({
    id: imageId,
    name,
    status: 'active',
    owner: tenantA.id,
    size: (await stat(path)).size,
    virtual_size: virtualSize,
    checksum: await fileHash(path, 'md5'),
    os_hash_algo: 'sha512',
    os_hash_value: await fileHash(path, 'sha512'),
    disk_format: 'vhd',
    container_format: 'bare',
  });

  const file = await tenantA.api.download(`/v2/images/${imageId}/file`);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe('application/octet-stream');
  expect(file.headers.get('content-md5')).toBe(image.body.checksum);
  expect(file.bytes.equals(await readFile(path))).toBe(true);
  return { task, imageId };
}

describe('import through the API', () => {
  it('imports a fixed VHD', async () => {
    const path = await fixtures.make('fixed.vhd', 'fixed', '6M', [
      { pattern: 0xab, offset: '0', length: '64k' },
      { pattern: 0x5a, offset: '3M', length: '1M' },
      { pattern: 0xc3, offset: '6140k', length: '4k' },
    ]);
    expect((await qemuInfo(path))['virtual-size']).toBe(6 * MIB);
    const result = await importAndVerify(path, 'fixed disk', 6 * MIB);
    imported.task = result.task;
    imported.imageId = result.imageId;
  });

  it('imports a dynamic VHD with data at a few offsets', async () => {
    const path = await fixtures.make('dynamic.vhd', 'dynamic', '16M', [
      { pattern: 0x11, offset: '0', length: '128k' },
      { pattern: 0x22, offset: '5M', length: '1M' },
      { pattern: 0x33, offset: '15M', length: '512k' },
    ]);
    expect((await qemuInfo(path))['virtual-size']).toBe(16 * MIB);
    // Three of the eight 2 MiB blocks are allocated: the file is far smaller than the disk.
    expect((await stat(path)).size).toBeLessThan(8 * MIB);
    await importAndVerify(path, 'dynamic disk', 16 * MIB);
  });
});

describe('tenancy', () => {
  it("tenant B cannot see tenant A's task or image", async () => {
    const { tenantA, tenantB } = env;
    const taskId = imported.task?.id;
    const imageId = imported.imageId;
    expect(taskId && imageId, 'needs the fixed import above').toBeTruthy();

    expect((await tenantA.api.getTask(taskId!)).status).toBe(200);
    const task = await tenantB.api.getTask(taskId!);
    expect(task.status).toBe(404);
    expect(task.body).toMatchObject({ error: { code: 404 } });

    expect((await tenantB.api.getImage(imageId!)).status).toBe(404);
    expect((await tenantB.api.download(`/v2/images/${imageId}/file`)).status).toBe(404);

    const tasks = await tenantB.api.request<{ tasks: { id: string }[] }>('GET', '/v2/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body.tasks.map((t) => t.id)).not.toContain(taskId);
    const images = await tenantB.api.request<{ images: { id: string }[] }>('GET', '/v2/images');
    expect(images.status).toBe(200);
    expect(images.body.images.map((i) => i.id)).not.toContain(imageId);
  });

  it("tenant B's import reads only tenant B's own Swift account", async () => {
    const { tenantA, tenantB } = env;
    // The bucket tenant B's `imports` container maps to, with a valid VHD in it, but in tenant A's account.
    await tenantA.s3.makeBucket(tenantB.bucketFor('imports'), env.stack.s3.region);
    await tenantA.s3.fPutObject(tenantB.bucketFor('imports'), 'fixed.vhd', fixtures.file('fixed.vhd'));
    const task = await tenantB.api.runTask('import', {
      import_from: 'imports/fixed.vhd',
      image_properties: { name: 'not mine' },
    });
    expect(task).toMatchObject({
      status: 'failure',
      owner: tenantB.id,
      message: 'Error: Image not found for import. Possible invalid location',
    });
  });
});
