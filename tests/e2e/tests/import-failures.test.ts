import { readFile, writeFile } from 'node:fs/promises';
import { TaskMessage } from '@cloud-images/shared';
import { VHD_ERROR_MESSAGES, type VhdErrorCode } from '@cloud-images/vhd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { FooterField, VhdFixtures } from '../support/vhd-fixtures.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const container = 'bad-vhds';

let env: E2eEnv;
let fixtures: VhdFixtures;
let baseFixed: string;
let baseDynamic: string;

beforeAll(async () => {
  fixtures = await VhdFixtures.create();
  env = await E2eEnv.start();
  await env.tenantA.createContainer(container);
  baseFixed = await fixtures.make('base-fixed.vhd', 'fixed', '2M', [
    { pattern: 0xab, offset: '0', length: '64k' },
  ]);
  baseDynamic = await fixtures.make('base-dynamic.vhd', 'dynamic', '4M', [
    { pattern: 0xab, offset: '0', length: '64k' },
  ]);
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.dispose();
});

/** Uploads `path` to tenant A, imports it through the API and returns the terminal task. */
async function importFile(path: string, imageProperties: Record<string, unknown> = { name: 'bad' }) {
  const object = path.split('/').at(-1)!;
  const importFrom = await env.tenantA.upload(container, object, path);
  return env.tenantA.api.runTask('import', { import_from: importFrom, image_properties: imageProperties });
}

/** The task failed with exactly `message`, has an expiry, and left no image the tenant can see. */
async function expectFailure(task: Task, message: string) {
  expect(task, JSON.stringify(task)).toMatchObject({
    status: 'failure',
    message,
    owner: env.tenantA.id,
    expires_at: expect.stringMatching(TIMESTAMP),
  });
  expect(task.result ?? null).toBeNull();
  const images = await env.tenantA.api.request<{ images: unknown[] }>('GET', '/v2/images');
  expect(images.body.images).toEqual([]);
}

async function expectRejected(path: string, code: VhdErrorCode) {
  const message = VHD_ERROR_MESSAGES[code];
  expect(message.startsWith(`${code}: `)).toBe(true);
  await expectFailure(await importFile(path), message);
}

describe('import validation failures through the API (default 40 GiB limit)', () => {
  it('111: footer features without the reserved bit', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'features.vhd', (f) =>
      f.writeUInt32BE(0, FooterField.features),
    );
    await expectRejected(path, 111);
  });

  it('111: a dynamic disk whose sector bitmap hides stored data (found by the streaming verifier)', async () => {
    const path = await fixtures.make('bitmap.vhd', 'dynamic', '4M', [
      { pattern: 0xab, offset: '0', length: '1M' },
      { pattern: 0xcd, offset: '2M', length: '1M' },
    ]);
    const bytes = await readFile(path);
    const tableOffset = Number(bytes.readBigUInt64BE(512 + 16));
    const sector = bytes.readUInt32BE(tableOffset + 4); // BAT entry of block 1 (virtual 2 MiB)
    bytes[sector * 512] = 0; // first bitmap byte: sectors 0-7 "absent", though their data is not zero
    const patched = fixtures.path('bitmap-patched.vhd');
    await writeFile(patched, bytes);
    await expectRejected(patched, 111);
  });

  it('396: not a VHD footer', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'no-cookie.vhd', (f) =>
      f.write('notavhd!', FooterField.cookie, 'latin1'),
    );
    await expectRejected(path, 396);
  });

  it('413: a 41 GiB virtual disk (sparse dynamic VHD)', async () => {
    const path = await fixtures.make('huge.vhd', 'dynamic', '41G');
    await expectRejected(path, 413);
  });

  it('523: a disk type other than fixed, dynamic or differencing', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'type5.vhd', (f) =>
      f.writeUInt32BE(5, FooterField.diskType),
    );
    await expectRejected(path, 523);
  });

  it('614: an all-zero unique id', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'zero-uuid.vhd', (f) =>
      f.fill(0, FooterField.uniqueId, FooterField.uniqueId + 16),
    );
    await expectRejected(path, 614);
  });

  it('721: a differencing disk', async () => {
    const path = await fixtures.patchFooter(
      baseDynamic,
      'differencing.vhd',
      (f) => f.writeUInt32BE(4, FooterField.diskType),
      true,
    );
    await expectRejected(path, 721);
  });

  it('a missing object', async () => {
    const task = await env.tenantA.api.runTask('import', {
      import_from: `${container}/no-such-object.vhd`,
      image_properties: { name: 'missing' },
    });
    await expectFailure(task, TaskMessage.importObjectNotFound);
    expect(TaskMessage.importObjectNotFound).toBe(
      'Error: Image not found for import. Possible invalid location',
    );
  });

  it('a missing container', async () => {
    const task = await env.tenantA.api.runTask('import', {
      import_from: 'no-such-container/disk.vhd',
      image_properties: { name: 'missing' },
    });
    await expectFailure(task, TaskMessage.importObjectNotFound);
  });

  it('an image property besides name: 201, then failure', async () => {
    const response = await env.tenantA.api.request<Task>('POST', '/v2/tasks', {
      type: 'import',
      input: {
        import_from: `${container}/base-fixed.vhd`,
        image_properties: { name: 'x', os_type: 'linux' },
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toContain(`/v2/tasks/${response.body.id}`);
    const task = await env.tenantA.api.waitForTask(response.body.id);
    await expectFailure(task, 'Unsupported element in image_properties, please consult the documentation.');
  });
});

describe('import validation failures through the API (small MAX_VIRTUAL_SIZE_BYTES)', () => {
  beforeAll(async () => {
    // With a 4 MiB virtual limit the physical limit is about 4 MiB: a 16 MiB file is over it.
    await env.restartWorker({ MAX_VIRTUAL_SIZE_BYTES: String(4 * 1024 * 1024) });
  });

  it('609: an object larger than the physical limit', async () => {
    const path = await fixtures.make('big-fixed.vhd', 'fixed', '16M');
    await expectRejected(path, 609);
  });
});
