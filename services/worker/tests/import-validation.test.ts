import { readFile } from 'node:fs/promises';
import { images } from '@cloud-images/shared';
import { VHD_ERROR_MESSAGES, type VhdErrorCode } from '@cloud-images/vhd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FooterField, VhdFixtures } from './helpers/vhd-fixtures.js';
import { WorkerTestEnv } from './helpers/worker-test-env.js';

let env: WorkerTestEnv;
let fixtures: VhdFixtures;
let baseFixed: string;
let baseDynamic: string;
const container = 'bad-vhds';

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = await VhdFixtures.create();
  await env.createContainer(container);
  baseFixed = await fixtures.make('base-fixed.vhd', 'fixed', '8M', [
    { pattern: 0xab, offset: '0', length: '64k' },
  ]);
  baseDynamic = await fixtures.make('base-dynamic.vhd', 'dynamic', '8M', [
    { pattern: 0xab, offset: '0', length: '64k' },
  ]);
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.dispose();
});

/** Uploads `path`, imports it, and checks the exact coded failure, a single attempt and no leftovers. */
async function expectRejected(path: string, code: VhdErrorCode) {
  const object = `${code}-${path.split('/').at(-1)}`;
  await env.uploadFile(container, object, path);
  const taskId = await env.submitTask('import', {
    import_from: `${container}/${object}`,
    image_properties: { name: 'bad' },
  });
  const task = await env.waitForTask(taskId);
  expect(task).toMatchObject({ status: 'failure', message: VHD_ERROR_MESSAGES[code], attempts: 1 });
  expect(task.lastError).toMatch(new RegExp(`^${code}: `));
  expect(await env.handle.db.select().from(images)).toEqual([]);
  expect(await env.imageStoreContents()).toEqual({ objects: [], incompleteUploads: [] });
  // Validation failures are final: the job must not be waiting for a retry.
  const job = await env.queues.import.getJob(`task-${taskId}`);
  expect(await job?.getState()).toBe('failed');
}

describe('import validation failures (default 40 GiB limit)', () => {
  beforeAll(async () => {
    await env.startWorker();
  });

  afterAll(async () => {
    await env.stopWorkers();
  });

  it('396: no valid footer', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'no-cookie.vhd', (f) =>
      f.write('notavhd!', FooterField.cookie, 'latin1'),
    );
    await expectRejected(path, 396);
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

  it('413: a 41 GiB virtual disk (sparse file)', async () => {
    const path = await fixtures.make('huge.vhd', 'dynamic', '41G');
    await expectRejected(path, 413);
  });

  it('111: bad footer features', async () => {
    const path = await fixtures.patchFooter(baseFixed, 'features.vhd', (f) =>
      f.writeUInt32BE(0, FooterField.features),
    );
    await expectRejected(path, 111);
  });

  it('111 found mid-stream: the upload already under way is aborted and removed', async () => {
    // 12 MiB of data, then a block whose sector bitmap says "absent" over real data. The fault lies past the
    // first 8 MiB part, so the image-store upload has started when the verifier rejects the body.
    const path = await fixtures.make('bitmap.vhd', 'dynamic', '32M', [
      { pattern: 0xab, offset: '0', length: '12M' },
      { pattern: 0xcd, offset: '20M', length: '2M' },
    ]);
    const bytes = await readFile(path);
    const tableOffset = Number(bytes.readBigUInt64BE(512 + 16));
    const sector = bytes.readUInt32BE(tableOffset + 10 * 4); // block 10 = virtual 20 MiB
    expect(sector * 512).toBeGreaterThan(8 * 1024 * 1024);
    await fixtures.overwrite(path, sector * 512, Buffer.alloc(1));
    await expectRejected(path, 111);
  });
});

describe('import validation failures (small limit)', () => {
  it('609: an object larger than the physical limit', async () => {
    // With a 4 MiB virtual limit the physical limit is about 4 MiB; a 16 MiB fixed disk is over it.
    await env.startWorker({ MAX_VIRTUAL_SIZE_BYTES: String(4 * 1024 * 1024) });
    const path = await fixtures.make('big-fixed.vhd', 'fixed', '16M');
    await expectRejected(path, 609);
  });
});
