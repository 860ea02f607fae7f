import {
  type DbExecutor,
  images,
  type TaskType,
  tasks,
  tenantLimitDefaultsConfig,
} from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMISSION_SLOTS,
  type AdmissionMode,
  ExclusiveAdmissionNeeded,
  insertAdmittedTask,
} from '../src/tasks/tenant-admission.js';
import { importBody, startTestApi, type TestApi } from './support/api-harness.js';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

const defaults = tenantLimitDefaultsConfig.parse({});

/** Admits and inserts one task of `type` in `tx`, as a POST does. */
const admit = (tx: Pick<DbExecutor, 'execute'>, tenantId: string, type: TaskType, mode: AdmissionMode) =>
  insertAdmittedTask(
    tx,
    { tenantId, type, input: {}, idempotencyKey: null, requestHash: 'x' },
    { admit: true, mode, defaults },
  );

/** The usage shard this transaction's admitted insert counts on (set by the admission). */
const admissionSlot = async (tx: Pick<DbExecutor, 'execute'>) =>
  (
    (await tx.execute(sql`select current_setting('cloud_images.admission_slot', true) as slot`)).rows[0] as {
      slot: string | null;
    }
  ).slot;

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

  it('holds above the slot count too: 40 simultaneous POSTs against max_pending_tasks 12 admit exactly 12', async () => {
    // 12 > ADMISSION_SLOTS, so the first admissions take the shared path and the last ones the exclusive one.
    expect(12).toBeGreaterThan(ADMISSION_SLOTS);
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 12 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(tenant.tokens.creator)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(12);
    expect(answers.filter((a) => a.status === 413)).toHaveLength(28);
    const [row] = (
      await t.db.execute(
        sql`select count(*)::int as n from tasks where tenant_id = ${tenant.id} and status = 'pending'`,
      )
    ).rows as { n: number }[];
    expect(row?.n).toBe(12);
  });

  it("runs a tenant's admissions side by side while it is far from its limits", async () => {
    const tenant = await t.createTestTenant();
    await t.db.transaction(async (first) => {
      await admit(first, tenant.id, 'import', 'shared');
      // With one admission lock per tenant this second admission would wait for the first to commit; with both
      // tasks counted on one usage shard, its insert would wait for first's usage row.
      await t.db.transaction(async (second) => {
        await second.execute(sql`set local lock_timeout = '2s'`);
        await admit(second, tenant.id, 'import', 'shared');
        expect(await admissionSlot(second)).toBe('1');
      });
      expect(await admissionSlot(first)).toBe('0');
      // The exclusive admission (near a limit) must wait for the shared one still open: its count is exact.
      await expect(
        t.db.transaction(async (exclusive) => {
          await exclusive.execute(sql`set local lock_timeout = '300ms'`);
          await admit(exclusive, tenant.id, 'import', 'exclusive');
        }),
      ).rejects.toMatchObject({ cause: { code: '55P03' } }); // lock_not_available: it waited and timed out
    });
  });

  it('counts, after waiting for the lock, the task the holder committed meanwhile', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 1 });
    let second: Promise<unknown> = Promise.resolve();
    await t.db.transaction(async (first) => {
      await admit(first, tenant.id, 'export', 'exclusive'); // inserts its task, uncommitted until the end
      // Waits for `first`; its usage must then include first's task (a snapshot taken before the lock would not).
      second = t.db.transaction((tx) => admit(tx, tenant.id, 'export', 'exclusive'));
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    await expect(second).rejects.toThrow(/max_pending_tasks is 1 and the tenant has 1/);
  });

  it('sends an admission within ADMISSION_SLOTS of a limit to the exclusive lock', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: ADMISSION_SLOTS - 1 });
    await expect(t.db.transaction((tx) => admit(tx, tenant.id, 'export', 'shared'))).rejects.toBeInstanceOf(
      ExclusiveAdmissionNeeded,
    );
    await t.db.transaction((tx) => admit(tx, tenant.id, 'export', 'exclusive'));
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
