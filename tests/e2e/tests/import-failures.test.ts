import { TaskMessage } from '@cloud-images/shared';
import { VHD_ERROR_MESSAGES, type VhdErrorCode } from '@cloud-images/vhd';
import {
  FixtureDir,
  makeBitmapHidesDataVhd,
  makeRejectedVhd,
  REJECTED_VHDS,
} from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const container = 'bad-vhds';

let env: E2eEnv;
let fixtures: FixtureDir;

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-vhd-');
  env = await E2eEnv.start();
  await env.tenantA.createContainer(container);
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
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
  // One catalogue file per code, each valid but for its one fault.
  for (const code of [111, 396, 413, 523, 614, 721] as const) {
    it(`${code}: ${REJECTED_VHDS[code].description}`, async () => {
      await expectRejected(await makeRejectedVhd(fixtures.path, code), code);
    });
  }

  it('111: a dynamic disk whose sector bitmap hides stored data (found by the streaming verifier)', async () => {
    // Block 1 (virtual 2 MiB): first bitmap byte says sectors 0-7 are "absent", though their data is not zero.
    const { path } = await makeBitmapHidesDataVhd(fixtures.file('bitmap.vhd'), {
      size: '4M',
      writes: [
        { pattern: 0xab, offset: '0', length: '1M' },
        { pattern: 0xcd, offset: '2M', length: '1M' },
      ],
      block: 1,
    });
    await expectRejected(path, 111);
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
    await env.restartWorker({ MAX_VIRTUAL_SIZE_BYTES: String(REJECTED_VHDS[609].maxVirtualSize) });
  });

  it('609: an object larger than the physical limit', async () => {
    await expectRejected(await makeRejectedVhd(fixtures.path, 609), 609);
  });
});
