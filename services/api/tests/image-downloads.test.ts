import { createHash, randomBytes } from 'node:crypto';
import { images } from '@cloud-images/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
const data = randomBytes(2 * 1024 * 1024 + 11);
const md5 = createHash('md5').update(data).digest('hex');
let id: string;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  ({ id } = await t.storeActiveImage(tenant.id, data, 'dl'));
});
afterAll(() => t?.close());

const download = (headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${t.baseUrl}/v2/images/${id}/file`, {
    method,
    headers: { 'X-Auth-Token': tenant.tokens.observer, ...headers },
  });

describe('image downloads', () => {
  it('serves one byte range with 206 and Content-Range, without the whole image MD5', async () => {
    const res = await download({ Range: 'bytes=100-1099' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${data.length}`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('content-md5')).toBeNull();
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(100, 1100))).toBe(true);
    const tail = await download({ Range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(data.subarray(data.length - 10))).toBe(true);
  });

  it('answers 416 for a range past the end, and the whole image for no or several ranges', async () => {
    const outside = await download({ Range: `bytes=${data.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${data.length}`);
    const whole = await download();
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-md5')).toBe(md5);
    expect(
      createHash('md5')
        .update(Buffer.from(await whole.arrayBuffer()))
        .digest('hex'),
    ).toBe(md5);
    const several = await download({ Range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    await several.arrayBuffer();
  });

  it('answers HEAD from the row alone, without touching the object store', async () => {
    // With the object gone, a HEAD that read the store would fail; the row still knows size and MD5.
    const [row] = await t.db
      .insert(images)
      .values({
        tenantId: tenant.id,
        name: 'head',
        status: 'active',
        size: 12345,
        checksum: 'a'.repeat(32),
        storageKey: 'images/absent.vhd',
      })
      .returning();
    const res = await fetch(`${t.baseUrl}/v2/images/${row!.id}/file`, {
      method: 'HEAD',
      headers: { 'X-Auth-Token': tenant.tokens.observer },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('12345');
    expect(res.headers.get('content-md5')).toBe('a'.repeat(32));
  });
});

describe('image lifecycle', () => {
  it('answers 409 to DELETE of an image whose import is running, and keeps it', async () => {
    for (const status of ['queued', 'saving'] as const) {
      const [row] = await t.db
        .insert(images)
        .values({ tenantId: tenant.id, name: status, status })
        .returning();
      const res = await t.request('DELETE', `/v2/images/${row!.id}`, { token: tenant.tokens.creator });
      expect(res.status, status).toBe(409);
      expect(res.json.error.message).toMatch(/still being imported/);
      const shown = await t.request('GET', `/v2/images/${row!.id}`, { token: tenant.tokens.observer });
      expect(shown.json.status).toBe(status);
    }
  });
});
