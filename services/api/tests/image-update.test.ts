import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
const data = randomBytes(1024 * 1024 + 5);
const V21 = 'application/openstack-images-v2.1-json-patch';
const V20 = 'application/openstack-images-v2.0-json-patch';

async function activeImage(name = 'img'): Promise<string> {
  return (await t.storeActiveImage(tenant.id, data, name)).id;
}

const patch = (id: string, body: unknown, contentType = V21) =>
  t.request('PATCH', `/v2/images/${id}`, {
    token: tenant.tokens.creator,
    rawBody: JSON.stringify(body),
    headers: { 'Content-Type': contentType },
  });

beforeAll(async () => {
  // Room for one property value of Glance's maximum size in a PATCH body.
  t = await startTestApi({ BODY_LIMIT_BYTES: String(256 * 1024) });
  tenant = await t.createTestTenant();
});
afterAll(() => t?.close());

describe('PATCH /v2/images/{id}', () => {
  it('applies add, replace and remove to core attributes, tags and custom properties', async () => {
    const id = await activeImage('before');
    const res = await patch(id, [
      { op: 'replace', path: '/name', value: 'after' },
      { op: 'add', path: '/tags', value: ['a', 'b'] },
      { op: 'add', path: '/tags/-', value: 'c' },
      { op: 'remove', path: '/tags/0' },
      { op: 'replace', path: '/min_disk', value: 10 },
      { op: 'add', path: '/min_ram', value: 512 },
      { op: 'replace', path: '/visibility', value: 'private' },
      { op: 'replace', path: '/protected', value: true },
      { op: 'add', path: '/os_distro', value: 'debian' },
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'replace', path: '/hw_disk_bus', value: 'virtio' },
      { op: 'add', path: '/gone', value: 'x' },
      { op: 'remove', path: '/gone' },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id,
      name: 'after',
      tags: ['b', 'c'],
      min_disk: 10,
      min_ram: 512,
      visibility: 'private',
      protected: true,
      os_distro: 'debian',
      hw_disk_bus: 'virtio',
    });
    expect(res.json).not.toHaveProperty('gone');
    // The change is stored, not only echoed.
    const shown = await t.request('GET', `/v2/images/${id}`, { token: tenant.tokens.observer });
    expect(shown.json).toMatchObject({ name: 'after', os_distro: 'debian', protected: true });

    // Glance's older media type, and remove of core attributes restoring defaults.
    const old = await patch(
      id,
      [
        { replace: '/name', value: 'older-form' },
        { remove: '/protected' },
        { remove: '/min_disk' },
        { remove: '/os_distro' },
      ],
      V20,
    );
    expect(old.status).toBe(200);
    expect(old.json).toMatchObject({ name: 'older-form', protected: false, min_disk: 0 });
    expect(old.json).not.toHaveProperty('os_distro');
  });

  it.each([
    'id',
    'status',
    'size',
    'virtual_size',
    'checksum',
    'os_hash_algo',
    'os_hash_value',
    'owner',
    'created_at',
    'updated_at',
    'file',
    'self',
    'schema',
    'disk_format',
    'container_format',
  ])('answers 403 for the read-only attribute %s', async (attribute) => {
    const id = await activeImage();
    const res = await patch(id, [{ op: 'replace', path: `/${attribute}`, value: 'x' }]);
    expect(res.status).toBe(403);
    expect(res.json.error.message).toMatch(attribute);
  });

  it('answers 415 for another media type, 400 for a malformed patch, 409 for a missing property', async () => {
    const id = await activeImage();
    const json = await patch(id, [{ op: 'replace', path: '/name', value: 'x' }], 'application/json');
    expect(json.status).toBe(415);
    for (const bad of [
      { op: 'replace', path: '/name', value: 'x' },
      [{ op: 'move', from: '/a', path: '/name' }],
      [{ op: 'replace', path: 'name', value: 'x' }],
      [{ op: 'replace', path: '/name' }],
      [{ op: 'replace', path: '/min_disk', value: -1 }],
      [{ op: 'replace', path: '/visibility', value: 'everyone' }],
      [{ op: 'add', path: '/custom', value: 5 }],
      [{ op: 'add', path: `/${'k'.repeat(256)}`, value: 'v' }],
      [{ op: 'add', path: '/big', value: 'v'.repeat(65_536) }],
      [{ op: 'add', path: '/tags/-', value: 't'.repeat(256) }],
    ]) {
      expect((await patch(id, bad)).status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
    expect((await patch(id, [{ op: 'replace', path: '/nope', value: 'v' }])).status).toBe(409);
    expect((await patch(id, [{ op: 'remove', path: '/nope' }])).status).toBe(409);
  });

  it('refuses to publish: visibility public is 403', async () => {
    const id = await activeImage();
    expect((await patch(id, [{ op: 'replace', path: '/visibility', value: 'public' }])).status).toBe(403);
  });

  it('answers 413 past 128 custom properties, changing nothing', async () => {
    const id = await activeImage();
    const ops = Array.from({ length: 129 }, (_, i) => ({ op: 'add', path: `/p${i}`, value: 'v' }));
    expect((await patch(id, ops)).status).toBe(413);
    const ok = await patch(id, ops.slice(0, 128));
    expect(ok.status).toBe(200);
    expect(ok.json.p127).toBe('v');
  });

  it('blocks DELETE of a protected image with 403 until protected is false again', async () => {
    const id = await activeImage();
    await patch(id, [{ op: 'replace', path: '/protected', value: true }]);
    const refused = await t.request('DELETE', `/v2/images/${id}`, { token: tenant.tokens.creator });
    expect(refused.status).toBe(403);
    await patch(id, [{ op: 'replace', path: '/protected', value: false }]);
    expect((await t.request('DELETE', `/v2/images/${id}`, { token: tenant.tokens.creator })).status).toBe(
      204,
    );
  });

  it('lets observers read but not patch', async () => {
    const id = await activeImage();
    const res = await t.request('PATCH', `/v2/images/${id}`, {
      token: tenant.tokens.observer,
      rawBody: '[]',
      headers: { 'Content-Type': V21 },
    });
    expect(res.status).toBe(403);
  });
});

describe('image tags', () => {
  it('adds and removes tags with 204, 404 for a missing tag, and filters lists by every tag given', async () => {
    const id = await activeImage('tagged');
    const other = await activeImage('other');
    const tag = (method: string, image: string, name: string) =>
      t.request(method, `/v2/images/${image}/tags/${encodeURIComponent(name)}`, {
        token: tenant.tokens.creator,
      });
    expect((await tag('PUT', id, 'red')).status).toBe(204);
    expect((await tag('PUT', id, 'red')).status).toBe(204);
    expect((await tag('PUT', id, 'big')).status).toBe(204);
    expect((await tag('PUT', other, 'red')).status).toBe(204);
    const shown = await t.request('GET', `/v2/images/${id}`, { token: tenant.tokens.observer });
    expect(shown.json.tags).toEqual(['red', 'big']);
    const both = await t.request('GET', '/v2/images?tag=red&tag=big', { token: tenant.tokens.observer });
    expect(both.json.images.map((i: { id: string }) => i.id)).toEqual([id]);
    const red = await t.request('GET', '/v2/images?tag=red', { token: tenant.tokens.observer });
    expect(red.json.images.map((i: { id: string }) => i.id).sort()).toEqual([id, other].sort());
    expect((await tag('DELETE', id, 'big')).status).toBe(204);
    expect((await tag('DELETE', id, 'big')).status).toBe(404);
    expect((await tag('PUT', id, 'x'.repeat(256))).status).toBe(400);
  });

  it('answers 413 past 128 tags', async () => {
    const id = await activeImage();
    const tags = Array.from({ length: 128 }, (_, i) => `t${i}`);
    expect((await patch(id, [{ op: 'replace', path: '/tags', value: tags }])).status).toBe(200);
    const res = await t.request('PUT', `/v2/images/${id}/tags/one-more`, { token: tenant.tokens.creator });
    expect(res.status).toBe(413);
  });
});

describe('image list filters and sorting', () => {
  it('filters by name, owner, size and visibility, and sorts by size', async () => {
    const named = await activeImage('find-me');
    const list = async (query: string) =>
      (await t.request('GET', `/v2/images?${query}`, { token: tenant.tokens.observer })).json.images.map(
        (i: { id: string }) => i.id,
      );
    expect(await list('name=find-me')).toEqual([named]);
    expect(await list(`owner=${tenant.id}&name=find-me`)).toEqual([named]);
    expect(await list('owner=someone-else&name=find-me')).toEqual([]);
    expect(await list(`name=find-me&size_min=${data.length}&size_max=${data.length}`)).toEqual([named]);
    expect(await list(`name=find-me&size_min=${data.length + 1}`)).toEqual([]);
    expect(await list('name=find-me&visibility=private')).toEqual([]);
    expect(await list('name=find-me&visibility=shared')).toEqual([named]);
    const bad = await t.request('GET', '/v2/images?size_min=big', { token: tenant.tokens.observer });
    expect(bad.status).toBe(400);
    expect(
      (await t.request('GET', '/v2/images?sort_key=size&sort_dir=asc', { token: tenant.tokens.observer }))
        .status,
    ).toBe(200);
  });
});
