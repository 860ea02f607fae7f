import { createHash, randomBytes } from 'node:crypto';
import { images } from '@cloud-images/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant, TIMESTAMP } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
const data = randomBytes(3 * 1024 * 1024 + 17);
const md5 = createHash('md5').update(data).digest('hex');
let active: string;
let saving: string;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  const key = `images/${crypto.randomUUID()}.vhd`;
  await t.imageStoreClient.putObject(t.imageBucket, key, data, data.length);
  const rows = await t.db
    .insert(images)
    .values([
      {
        tenantId: tenant.id,
        name: 'b-active',
        status: 'active',
        size: data.length,
        virtualSize: 10 * 1024 * 1024,
        checksum: md5,
        osHashAlgo: 'sha512',
        osHashValue: createHash('sha512').update(data).digest('hex'),
        storageKey: key,
      },
      { tenantId: tenant.id, name: 'a-saving', status: 'saving' },
      { tenantId: tenant.id, name: 'c-gone', status: 'deleted' },
    ])
    .returning();
  active = rows[0]!.id;
  saving = rows[1]!.id;
});
afterAll(() => t?.close());

describe('images', () => {
  it('shows an image with every Glance field', async () => {
    const res = await t.request('GET', `/v2/images/${active}`, { token: tenant.tokens.observer });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: active,
      name: 'b-active',
      status: 'active',
      visibility: 'shared',
      protected: false,
      tags: [],
      owner: tenant.id,
      size: data.length,
      virtual_size: 10 * 1024 * 1024,
      checksum: md5,
      os_hash_algo: 'sha512',
      disk_format: 'vhd',
      container_format: 'bare',
      min_disk: 0,
      min_ram: 0,
      file: `/v2/images/${active}/file`,
      self: `/v2/images/${active}`,
      schema: '/v2/schemas/image',
    });
    expect(res.json.created_at).toMatch(TIMESTAMP);
    expect(res.json.updated_at).toMatch(TIMESTAMP);
  });

  it('lists visible images (not deleted ones), sorted and paged', async () => {
    const all = await t.request('GET', '/v2/images?sort_key=name&sort_dir=asc', {
      token: tenant.tokens.observer,
    });
    expect(all.json.images.map((i: { name: string }) => i.name)).toEqual(['a-saving', 'b-active']);
    expect(all.json.schema).toBe('/v2/schemas/images');
    const page = await t.request('GET', '/v2/images?sort_key=name&sort_dir=asc&limit=1', {
      token: tenant.tokens.observer,
    });
    expect(page.json.images).toHaveLength(1);
    expect(page.json.next).toBe(`/v2/images?sort_key=name&sort_dir=asc&limit=1&marker=${saving}`);
    const next = await t.request('GET', page.json.next, { token: tenant.tokens.observer });
    expect(next.json.images.map((i: { id: string }) => i.id)).toEqual([active]);
    const filtered = await t.request('GET', '/v2/images?status=saving', { token: tenant.tokens.observer });
    expect(filtered.json.images.map((i: { id: string }) => i.id)).toEqual([saving]);
    // Over the maximum is clamped, as Glance does (glanceclient asks for 200); nonsense is still a 400.
    expect((await t.request('GET', '/v2/images?limit=500', { token: tenant.tokens.observer })).status).toBe(
      200,
    );
    expect((await t.request('GET', '/v2/images?limit=0', { token: tenant.tokens.observer })).status).toBe(
      400,
    );
  });

  it('streams the image data with length and MD5', async () => {
    const res = await fetch(`${t.baseUrl}/v2/images/${active}/file`, {
      headers: { 'X-Auth-Token': tenant.tokens.observer },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(res.headers.get('content-md5')).toBe(md5);
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('md5').update(body).digest('hex')).toBe(md5);
  });

  it('answers 204 for an image without data and 404 for unknown, malformed or deleted ids', async () => {
    expect(
      (await t.request('GET', `/v2/images/${saving}/file`, { token: tenant.tokens.observer })).status,
    ).toBe(204);
    expect(
      (
        await t.request('GET', '/v2/images/00000000-0000-4000-8000-000000000000', {
          token: tenant.tokens.observer,
        })
      ).status,
    ).toBe(404);
    expect((await t.request('GET', '/v2/images/xyz', { token: tenant.tokens.observer })).status).toBe(404);
  });

  it('deletes an image: 204, then 404, the row marked deleted and the object removed', async () => {
    const [row] = await t.db.select().from(images).where(eq(images.id, active));
    const res = await t.request('DELETE', `/v2/images/${active}`, { token: tenant.tokens.creator });
    expect(res.status).toBe(204);
    expect((await t.request('GET', `/v2/images/${active}`, { token: tenant.tokens.observer })).status).toBe(
      404,
    );
    expect((await t.request('DELETE', `/v2/images/${active}`, { token: tenant.tokens.creator })).status).toBe(
      404,
    );
    const [after] = await t.db.select().from(images).where(eq(images.id, active));
    expect(after?.status).toBe('deleted');
    await expect(t.imageStoreClient.statObject(t.imageBucket, row!.storageKey!)).rejects.toMatchObject({
      code: 'NotFound',
    });
  });
});
