import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
});
afterAll(() => t?.close());

describe('Idempotency-Key', () => {
  it('replays the original task for the same body and answers 409 for a different body', async () => {
    const headers = { 'Idempotency-Key': 'key-1' };
    const first = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody('a'),
      headers,
    });
    const again = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      // Same content, keys in another order: still the same request.
      rawBody: JSON.stringify({
        input: { import_from: importBody('a').input.import_from, image_properties: { name: 'a' } },
        type: 'import',
      }),
      headers: { ...headers, 'Content-Type': 'application/json' },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody('b'),
      headers,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ code: 409, title: 'Conflict' });
    expect(conflict.json.error.message).toMatch(/Idempotency-Key 'key-1'/);
  });

  it('creates exactly one task for concurrent requests with one key', async () => {
    const headers = { 'Idempotency-Key': 'key-concurrent' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody('c'), headers }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
  });

  it('keeps keys per tenant and rejects a malformed key', async () => {
    const other = await t.createTestTenant();
    const headers = { 'Idempotency-Key': 'key-1' };
    const res = await t.request('POST', '/v2/tasks', {
      token: other.tokens.creator,
      body: importBody('b'),
      headers,
    });
    expect(res.status).toBe(201);
    const bad = await t.request('POST', '/v2/tasks', {
      token: other.tokens.creator,
      body: importBody(),
      headers: { 'Idempotency-Key': 'x'.repeat(300) },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Idempotency-Key/);
  });
});
