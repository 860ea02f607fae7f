import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api-harness.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

describe('version discovery', () => {
  it('answers GET / with 300 and GET /versions with 200, linking to this API, without a token', async () => {
    const root = await t.request('GET', '/');
    expect(root.status).toBe(300);
    const versions = await t.request('GET', '/versions');
    expect(versions.status).toBe(200);
    expect(versions.json).toEqual(root.json);
    const current = versions.json.versions.filter((v: { status: string }) => v.status === 'CURRENT');
    expect(current).toEqual([
      { id: 'v2.5', status: 'CURRENT', links: [{ rel: 'self', href: `${t.baseUrl}/v2/` }] },
    ]);
  });

  it('ignores X-Forwarded-* by default, so a client cannot inject hrefs', async () => {
    const res = await t.request('GET', '/versions', {
      headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' },
    });
    expect(res.json.versions[0].links[0].href).toBe(`${t.baseUrl}/v2/`);
  });
});

describe('version discovery behind a trusted proxy', () => {
  it('honours X-Forwarded-Proto and -Host when TRUST_FORWARDED_HEADERS is on', async () => {
    const proxied = await startTestApi({ TRUST_FORWARDED_HEADERS: 'true' });
    try {
      const res = await proxied.request('GET', '/versions', {
        headers: { 'X-Forwarded-Host': 'images.example.com', 'X-Forwarded-Proto': 'https' },
      });
      expect(res.json.versions[0].links[0].href).toBe('https://images.example.com/v2/');
    } finally {
      await proxied.close();
    }
  });
});

describe('unversioned resource paths', () => {
  it('serves /images, /schemas and /tasks as v2, with the same authentication', async () => {
    const tenant = await t.createTestTenant();
    const token = tenant.tokens.observer;
    for (const path of ['/images', '/schemas/image', '/tasks?limit=1']) {
      const unversioned = await t.request('GET', path, { token });
      const versioned = await t.request('GET', `/v2${path}`, { token });
      expect([path, unversioned.status]).toEqual([path, 200]);
      expect(unversioned.json).toEqual(versioned.json);
    }
    expect((await t.request('GET', '/images')).status).toBe(401);
  });

  it('leaves other paths alone: / is still the versions document, and look-alikes are 404', async () => {
    expect((await t.request('GET', '/')).status).toBe(300);
    const lookAlike = await t.request('GET', '/imagesx');
    expect(lookAlike.status).toBe(404);
    expect(lookAlike.json.error.message).toBe('No resource at GET /imagesx.');
  });
});
