import { createIsolatedDatabase } from '@cloud-images/test-stack';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../src/db/client.js';
import { outbox, tasks, tenants, workerHeartbeats } from '../src/db/schema.js';
import { DISPATCH_ROUND_MAX_TASKS, dispatchRound } from '../src/dispatch/fair-dispatcher.js';
import { recoverStaleTasks } from '../src/dispatch/task-recovery.js';
import { TaskMessage } from '../src/tasks/task-messages.js';
import { TaskOutcomeWriter } from '../src/tasks/task-outcome.js';

const stack = inject('stack');
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let handle: DatabaseHandle;
const options = { defaultMaxActive: 2, heartbeatTtlMs: 15_000 };

beforeAll(async () => {
  isolated = await createIsolatedDatabase(stack, inject('templateDatabase'));
  handle = createDatabase({ url: isolated.url });
  for (const id of ['A', 'B', 'C']) {
    await handle.db
      .insert(tenants)
      .values({ id, name: id, s3AccessKey: 'ak', s3SecretKeyEncrypted: 'v1:x:y:z' });
  }
});
afterAll(async () => {
  await handle.close();
  await isolated.drop();
});
beforeEach(async () => {
  await handle.db.delete(tasks);
  await handle.db.delete(workerHeartbeats);
  await handle.db.update(tenants).set({ lastDispatchedAt: null, maxActiveTasks: null });
});

async function queue(tenantIds: string[]): Promise<Map<string, string>> {
  const owner = new Map<string, string>();
  for (const tenantId of tenantIds) {
    const [row] = await handle.db
      .insert(tasks)
      .values({ tenantId, type: 'import', input: {}, createdAt: sql`clock_timestamp()` })
      .returning();
    owner.set(row!.id, tenantId);
  }
  return owner;
}

const worker = (concurrency: number) =>
  handle.db.insert(workerHeartbeats).values({ workerId: 'w1', concurrency });

/** Plays a worker: claims every dispatched task, and finishes the one claimed first. */
async function finishOldestRunning(): Promise<void> {
  await handle.db.execute(
    sql`update tasks set status = 'processing' where status = 'pending' and dispatched_at is not null`,
  );
  await handle.db.execute(sql`
    update tasks set status = 'success' where id =
      (select id from tasks where status = 'processing' order by dispatched_at limit 1)`);
}

describe('dispatchRound', () => {
  it("runs Hatchet's example A,A,A,B,B,C on 2 slots as A,B,C,A,B,A", async () => {
    const owner = await queue(['A', 'A', 'A', 'B', 'B', 'C']);
    await worker(2);
    const order: string[] = [];
    for (let round = 0; round < 10 && order.length < 6; round++) {
      const { dispatched } = await dispatchRound(handle.db, options);
      order.push(...dispatched.map((d) => owner.get(d.taskId)!));
      await finishOldestRunning();
    }
    expect(order.join(',')).toBe('A,B,C,A,B,A');
    const rows = await handle.db.select().from(outbox);
    expect(rows).toHaveLength(6);
  });

  it('never dispatches more than the free slots, nor past a tenant max_active_tasks', async () => {
    await queue(Array.from({ length: 10 }, () => 'A'));
    await handle.db.update(tenants).set({ maxActiveTasks: 3 }).where(eq(tenants.id, 'A'));
    expect((await dispatchRound(handle.db, options)).dispatched).toHaveLength(0); // no live worker
    await worker(8);
    const round = await dispatchRound(handle.db, options);
    expect(round).toMatchObject({ capacity: 8, busy: 0 });
    expect(round.dispatched).toHaveLength(3);
    expect((await dispatchRound(handle.db, options)).dispatched).toHaveLength(0);
  });

  it('ignores workers whose heartbeat is older than the TTL', async () => {
    await queue(['A']);
    await handle.db
      .insert(workerHeartbeats)
      .values({ workerId: 'old', concurrency: 4, lastSeenAt: sql`now() - interval '1 minute'` });
    expect((await dispatchRound(handle.db, options)).capacity).toBe(0);
  });

  it('counts the workers of one host for at most its host slots; a pre-0005 row counts alone', async () => {
    const beat = (workerId: string, concurrency: number, hostId: string | null, hostSlots: number | null) =>
      handle.db.insert(workerHeartbeats).values({ workerId, concurrency, hostId, hostSlots });
    await beat('a1', 2, 'host-a', 4);
    await beat('a2', 2, 'host-a', 4);
    await beat('a3', 2, 'host-a', 4);
    await beat('b1', 2, 'host-b', 4);
    await beat('legacy', 3, null, null);
    expect((await dispatchRound(handle.db, options)).capacity).toBe(4 + 2 + 3);
    // Workers of one host configured differently: the least host_slots wins.
    await beat('a4', 2, 'host-a', 3);
    expect((await dispatchRound(handle.db, options)).capacity).toBe(3 + 2 + 3);
  });

  it('lets one replica dispatch at a time: concurrent rounds never exceed capacity', async () => {
    await queue(['A', 'A', 'B', 'B', 'C', 'C']);
    await handle.db.update(tenants).set({ maxActiveTasks: 10 });
    await worker(3);
    const rounds = await Promise.all(Array.from({ length: 5 }, () => dispatchRound(handle.db, options)));
    expect(rounds.flatMap((r) => r.dispatched)).toHaveLength(3);
  });

  it('dispatches a burst in rounds of at most DISPATCH_ROUND_MAX_TASKS, each committed on its own', async () => {
    const burst = DISPATCH_ROUND_MAX_TASKS + 8;
    await queue(Array.from({ length: burst }, () => 'A'));
    await handle.db.update(tenants).set({ maxActiveTasks: 1000 });
    await worker(1000);
    const first = await dispatchRound(handle.db, options);
    expect(first.dispatched).toHaveLength(DISPATCH_ROUND_MAX_TASKS);
    expect(first.more).toBe(true);
    const second = await dispatchRound(handle.db, options);
    expect(second.dispatched).toHaveLength(8);
    expect(second.more).toBe(false);
  });
});

describe('recoverStaleTasks', () => {
  it('re-queues a processing task with a stale heartbeat, fails one out of attempts, leaves live ones', async () => {
    const outcomes = new TaskOutcomeWriter(handle.db, 3600);
    const [stale, spent, live] = [...(await queue(['A', 'A', 'A'])).keys()];
    await handle.db.update(tasks).set({
      status: 'processing',
      dispatchedAt: sql`now()`,
      heartbeatAt: sql`now() - interval '1 minute'`,
      attempts: 1,
    });
    await handle.db.update(tasks).set({ attempts: 5 }).where(eq(tasks.id, spent!));
    await handle.db.update(tasks).set({ heartbeatAt: sql`now()` }).where(eq(tasks.id, live!));
    const outcome = await recoverStaleTasks(handle.db, outcomes, { heartbeatTimeoutMs: 30_000 });
    expect(outcome).toEqual({ requeued: [stale], failed: [spent] });
    const rows = new Map((await handle.db.select().from(tasks)).map((r) => [r.id, r]));
    expect(rows.get(stale!)).toMatchObject({ status: 'pending', dispatchedAt: null });
    expect(rows.get(spent!)).toMatchObject({ status: 'failure', message: TaskMessage.workerLost });
    expect(rows.get(live!)).toMatchObject({ status: 'processing' });
  });
});
