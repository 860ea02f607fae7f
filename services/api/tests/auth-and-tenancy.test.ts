import { images } from '@cloud-images/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken } from '../src/admin/token-commands.js';
import {
  exportBody,
  importBody,
  startTestApi,
  type TestApi,
  type TestTenant,
} from './support/api-harness.js';

let t: TestApi;
let alice: TestTenant;
let bob: TestTenant;
let aliceTask: string;
let aliceImage: string;

beforeAll(async () => {
  t = await startTestApi();
  alice = await t.createTestTenant();
  bob = await t.createTestTenant();
  aliceTask = (await t.request('POST', '/v2/tasks', { token: alice.tokens.creator, body: importBody() })).json
    .id;
  const [image] = await t.db
    .insert(images)
    .values({ tenantId: alice.id, name: 'alice', status: 'active' })
    .returning();
  aliceImage = image!.id;
});
afterAll(() => t?.close());

describe('X-Auth-Token', () => {
  it.each([
    ['no token', undefined, /missing/],
    ['an unknown token', 'cit_not-a-real-token', /not valid/],
  ])('answers 401 for %s on every /v2 route', async (_case, token, message) => {
    for (const [method, path] of [
      ['GET', '/v2/tasks'],
      ['POST', '/v2/tasks'],
      ['GET', `/v2/tasks/${aliceTask}`],
      ['GET', '/v2/images'],
      ['GET', '/v2/schemas/task'],
    ] as const) {
      const res = await t.request(method, path, {
        ...(token ? { token } : {}),
        ...(method === 'POST' ? { body: importBody() } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.json.error).toMatchObject({
        code: 401,
        title: 'Unauthorized',
        message: expect.stringMatching(message),
      });
    }
  });

  it('answers 401 for a revoked token', async () => {
    const tenant = await t.createTestTenant();
    expect((await t.request('GET', '/v2/tasks', { token: tenant.tokens.admin })).status).toBe(200);
    await revokeToken(t.db, tenant.tokens.admin);
    expect((await t.request('GET', '/v2/tasks', { token: tenant.tokens.admin })).status).toBe(401);
  });
});

describe('roles', () => {
  it('lets admin and creator create tasks', async () => {
    for (const role of ['admin', 'creator'] as const) {
      const res = await t.request('POST', '/v2/tasks', { token: alice.tokens[role], body: exportBody() });
      expect(res.status, role).toBe(201);
    }
  });

  it('lets an observer read but not create (403), even with an invalid body', async () => {
    expect((await t.request('GET', '/v2/tasks', { token: alice.tokens.observer })).status).toBe(200);
    expect((await t.request('GET', `/v2/tasks/${aliceTask}`, { token: alice.tokens.observer })).status).toBe(
      200,
    );
    expect(
      (await t.request('GET', `/v2/images/${aliceImage}`, { token: alice.tokens.observer })).status,
    ).toBe(200);
    const create = await t.request('POST', '/v2/tasks', { token: alice.tokens.observer, body: importBody() });
    expect(create.status).toBe(403);
    expect(create.json.error).toMatchObject({
      code: 403,
      title: 'Forbidden',
      message: expect.stringMatching(/observer/),
    });
    const invalid = await t.request('POST', '/v2/tasks', {
      token: alice.tokens.observer,
      rawBody: '{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(invalid.status).toBe(403);
  });

  it('forbids an observer to delete an image (403) and leaves it in place', async () => {
    const res = await t.request('DELETE', `/v2/images/${aliceImage}`, { token: alice.tokens.observer });
    expect(res.status).toBe(403);
    expect(
      (await t.request('GET', `/v2/images/${aliceImage}`, { token: alice.tokens.observer })).status,
    ).toBe(200);
  });
});

describe('tenancy', () => {
  it("gives 404 for another tenant's task and image, whatever the role", async () => {
    for (const role of ['admin', 'creator', 'observer'] as const) {
      const task = await t.request('GET', `/v2/tasks/${aliceTask}`, { token: bob.tokens[role] });
      expect(task.status, role).toBe(404);
      expect(task.json.error.code).toBe(404);
      expect((await t.request('GET', `/v2/images/${aliceImage}`, { token: bob.tokens[role] })).status).toBe(
        404,
      );
      expect(
        (await t.request('GET', `/v2/images/${aliceImage}/file`, { token: bob.tokens[role] })).status,
      ).toBe(404);
    }
    expect((await t.request('DELETE', `/v2/images/${aliceImage}`, { token: bob.tokens.admin })).status).toBe(
      404,
    );
    expect(
      (await t.request('GET', `/v2/images/${aliceImage}`, { token: alice.tokens.observer })).status,
    ).toBe(200);
  });

  it("never lists another tenant's tasks or images, nor accepts them as a marker", async () => {
    const tasks = await t.request('GET', '/v2/tasks', { token: bob.tokens.observer });
    expect(tasks.json.tasks).toEqual([]);
    const imgs = await t.request('GET', '/v2/images', { token: bob.tokens.observer });
    expect(imgs.json.images).toEqual([]);
    const marker = await t.request('GET', `/v2/tasks?marker=${aliceTask}`, { token: bob.tokens.observer });
    expect(marker.status).toBe(400);
  });

  it('shows the owner as the tenant id', async () => {
    const res = await t.request('GET', `/v2/tasks/${aliceTask}`, { token: alice.tokens.observer });
    expect(res.json.owner).toBe(alice.id);
  });
});
