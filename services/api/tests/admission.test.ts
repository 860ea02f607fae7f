import { images, tasks } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBody, startTestApi, type TestApi } from './support/api-harness.js';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

const post = (token: string, body: unknown = importBody(), headers: Record<string, string> = {}) =>
  t.request('POST', '/v2/tasks', { token, body, headers });

/** Ends every unfinished task of a tenant, as workers would. */
async function finishAll(tenantId: string): Promise<void> {
  await t.db
    .update(tasks)
    .set({ status: 'success', expiresAt: sql`now() + interval '1 hour'` })
    .where(sql`${tasks.tenantId} = ${tenantId} and ${tasks.status} in ('pending', 'processing')`);
}

describe('admission control', () => {
  it('answers 413 Over Limit with Retry-After at max_pending_tasks + 1, and 201 again once tasks finish', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 3 });
    for (let i = 0; i < 3; i++) expect((await post(tenant.tokens.creator)).status).toBe(201);
    const refused = await post(tenant.tokens.creator);
    console.log('[admission] max_pending_tasks=3, POST #4 →', refused.status, refused.json?.error?.message);
    expect(refused.status).toBe(413);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json.error).toMatchObject({
      code: 413,
      title: 'Over Limit',
      message: expect.stringMatching(/max_pending_tasks is 3 and the tenant has 3/),
    });
    await finishAll(tenant.id);
    expect((await post(tenant.tokens.creator)).status).toBe(201);
  });

  it('replays an accepted POST with its Idempotency-Key even at the limit (never 413)', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 1 });
    const key = { 'Idempotency-Key': 'admission-replay-1' };
    const first = await post(tenant.tokens.creator, importBody(), key);
    expect(first.status).toBe(201);
    const replay = await post(tenant.tokens.creator, importBody(), key);
    expect(replay.status).toBe(first.status);
    expect(replay.json.id).toBe(first.json.id);
    expect((await post(tenant.tokens.creator)).status).toBe(413);
  });

  it('holds under concurrency: 20 simultaneous POSTs against max_pending_tasks 5 admit exactly 5', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(tenant.tokens.creator)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 413)).toHaveLength(15);
  });

  it('counts images held and imports in flight against max_images', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxImages: 2 });
    await t.db.insert(images).values({ tenantId: tenant.id, status: 'active', name: 'held' });
    expect((await post(tenant.tokens.creator)).status).toBe(201); // 1 held + 1 in flight
    const refused = await post(tenant.tokens.creator);
    console.log('[admission] max_images=2, third image →', refused.status, refused.json?.error?.message);
    expect(refused.status).toBe(413);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.json.error.message).toMatch(/max_images is 2 and the tenant has 2/);
    // Deleting the held image makes room again.
    await t.db.update(images).set({ status: 'deleted' }).where(eq(images.tenantId, tenant.id));
    expect((await post(tenant.tokens.creator)).status).toBe(201);
  });
});
