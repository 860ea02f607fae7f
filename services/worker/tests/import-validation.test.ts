import { images } from '@cloud-images/shared';
import { VHD_ERROR_MESSAGES, type VhdErrorCode } from '@cloud-images/vhd';
import {
  FixtureDir,
  makeBitmapHidesDataVhd,
  makeRejectedVhd,
  REJECTED_VHDS,
} from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerTestEnv } from './support/worker-test-env.js';

let env: WorkerTestEnv;
let fixtures: FixtureDir;
const container = 'bad-vhds';

beforeAll(async () => {
  env = await WorkerTestEnv.create();
  fixtures = new FixtureDir('worker-vhd-');
  await env.createContainer(container);
});

afterAll(async () => {
  await env?.dispose();
  await fixtures?.remove();
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

  // One catalogue file per code, each valid but for its one fault.
  for (const code of [396, 721, 523, 614, 413, 111] as const) {
    it(`${code}: ${REJECTED_VHDS[code].description}`, async () => {
      await expectRejected(await makeRejectedVhd(fixtures.path, code), code);
    });
  }

  it('111 found mid-stream: the upload already under way is aborted and removed', async () => {
    // 12 MiB of data, then a block whose sector bitmap says "absent" over real data. The fault lies past the
    // first 8 MiB part, so the image-store upload has started when the verifier rejects the body.
    const { path, bitmapOffset } = await makeBitmapHidesDataVhd(fixtures.file('bitmap.vhd'), {
      size: '32M',
      writes: [
        { pattern: 0xab, offset: '0', length: '12M' },
        { pattern: 0xcd, offset: '20M', length: '2M' },
      ],
      block: 10, // virtual 20 MiB
    });
    expect(bitmapOffset).toBeGreaterThan(8 * 1024 * 1024);
    await expectRejected(path, 111);
  });
});

describe('import validation failures (small limit)', () => {
  it('609: an object larger than the physical limit', async () => {
    // With a 4 MiB virtual limit the physical limit is about 4 MiB; a 16 MiB fixed disk is over it.
    await env.startWorker({ MAX_VIRTUAL_SIZE_BYTES: String(REJECTED_VHDS[609].maxVirtualSize) });
    await expectRejected(await makeRejectedVhd(fixtures.path, 609), 609);
  });
});
