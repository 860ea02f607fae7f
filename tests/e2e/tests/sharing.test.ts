import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TaskMessage } from '@cloud-images/shared';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eEnv } from '../support/e2e-env.js';

const PATCH = 'application/openstack-images-v2.1-json-patch';
let env: E2eEnv;
let fixtures: FixtureDir;
let imageId: string;
let md5: string;

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-share-');
  env = await E2eEnv.start();
  const { tenantA, tenantB } = env;
  await tenantA.createContainer('imports');
  await tenantB.createContainer('exports');
  const source = await fixtures.make('share.vhd', 'dynamic', '8M', [
    { pattern: 0x3c, offset: '0', length: '1M' },
  ]);
  md5 = createHash('md5')
    .update(await readFile(source))
    .digest('hex');
  const task = await tenantA.api.runTask('import', {
    import_from: await tenantA.upload('imports', 'share.vhd', source),
    image_properties: { name: 'to share' },
  });
  expect(task.status, JSON.stringify(task)).toBe('success');
  imageId = task.result!['image_id'] as string;
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
});

const listIds = async (query = '') =>
  (
    (await env.tenantB.api.request<{ images: { id: string }[] }>('GET', `/v2/images${query}`)).body.images ??
    []
  ).map((image) => image.id);

describe('sharing an image between tenants, through the real API and worker', () => {
  it('shares, accepts, downloads, refuses what a member may not do, and unshares', async () => {
    const { tenantA, tenantB } = env;
    const owner = tenantA.api;
    const member = tenantB.api;
    const shared = await owner.request(
      'PATCH',
      `/v2/images/${imageId}`,
      [{ op: 'replace', path: '/visibility', value: 'shared' }],
      PATCH,
    );
    expect(shared.status).toBe(200);
    expect(
      (await owner.request('POST', `/v2/images/${imageId}/members`, { member: tenantB.id })).status,
    ).toBe(200);

    expect(await listIds('?member_status=pending')).toContain(imageId);
    expect(await listIds()).not.toContain(imageId);
    const accepted = await member.request('PUT', `/v2/images/${imageId}/members/${tenantB.id}`, {
      status: 'accepted',
    });
    expect(accepted.status).toBe(200);
    expect(await listIds()).toContain(imageId);
    const download = await member.download(`/v2/images/${imageId}/file`);
    expect(download.status).toBe(200);
    expect(createHash('md5').update(download.bytes).digest('hex')).toBe(md5);
    expect(download.headers.get('content-md5')).toBe(md5);

    const patch = await member.request(
      'PATCH',
      `/v2/images/${imageId}`,
      [{ op: 'replace', path: '/name', value: 'mine' }],
      PATCH,
    );
    expect(patch.status).toBe(403);
    expect((await member.request('PUT', `/v2/images/${imageId}/tags/mine`)).status).toBe(403);
    expect((await member.request('DELETE', `/v2/images/${imageId}`)).status).toBe(403);
    const exported = await member.runTask('export', {
      image_uuid: imageId,
      receiving_swift_container: 'exports',
    });
    expect(exported).toMatchObject({ status: 'failure', message: TaskMessage.exportNotOwner });

    expect((await owner.request('DELETE', `/v2/images/${imageId}/members/${tenantB.id}`)).status).toBe(204);
    expect((await member.request('GET', `/v2/images/${imageId}`)).status).toBe(404);
  });
});
