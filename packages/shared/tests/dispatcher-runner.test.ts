import { createIsolatedDatabase } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../src/db/client.js';
import { tasks, tenants, workerHeartbeats } from '../src/db/schema.js';
import { DispatcherRunner } from '../src/dispatch/dispatcher-runner.js';
import { DISPATCH_LOCK_KEY, type DispatchRound } from '../src/dispatch/fair-dispatcher.js';
import { createLogger } from '../src/logging/logger.js';

const stack = inject('stack');
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let handle: DatabaseHandle;

beforeAll(async () => {
  isolated = await createIsolatedDatabase(stack, inject('templateDatabase'));
  handle = createDatabase({ url: isolated.url });
  await handle.db
    .insert(tenants)
    .values({ id: 'A', name: 'A', s3AccessKey: 'ak', s3SecretKeyEncrypted: 'v1:x:y:z' });
});
afterAll(async () => {
  await handle.close();
  await isolated.drop();
});

/** A runner with a full-kick gap far longer than any test, recording every round it runs. */
function recordingRunner(): { runner: DispatcherRunner; rounds: DispatchRound[] } {
  const rounds: DispatchRound[] = [];
  const runner = new DispatcherRunner({
    db: handle.db,
    logger: createLogger({ name: 'test', level: 'silent' }),
    defaultMaxActive: 4,
    heartbeatTtlMs: 15_000,
    intervalMs: 60_000,
    // So "held" and "at once" cannot be confused on a slow machine.
    fullKickGapMs: 60_000,
    onRound: (round) => rounds.push(round),
  });
  return { runner, rounds };
}

describe('DispatcherRunner', () => {
  it('while every slot is taken, holds new-task kicks for the full-kick gap; a freed slot runs a round at once', async () => {
    const { runner, rounds } = recordingRunner();
    runner.start();
    try {
      await handle.db.insert(tasks).values({ tenantId: 'A', type: 'import', input: {} });
      runner.taskQueued();
      await vi.waitFor(() => expect(rounds).toHaveLength(1));
      expect(rounds[0]).toMatchObject({ capacity: 0, dispatched: [] }); // no worker: full

      for (let i = 0; i < 40; i++) {
        runner.taskQueued();
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(rounds).toHaveLength(1); // 40 new tasks, no round: none could have started

      // A worker appears and a slot is freed: kick() runs a round without waiting out the gap.
      await handle.db.insert(workerHeartbeats).values({ workerId: 'w1', concurrency: 1 });
      runner.kick();
      await vi.waitFor(() => expect(rounds).toHaveLength(2), { timeout: 10_000 });
      expect(rounds[1]!.dispatched).toHaveLength(1);
    } finally {
      await runner.stop();
    }
  });

  it('runs new-task kicks without the gap while slots are free', async () => {
    const { runner, rounds } = recordingRunner();
    await handle.db.delete(workerHeartbeats);
    await handle.db.delete(tasks);
    await handle.db.insert(workerHeartbeats).values({ workerId: 'w2', concurrency: 8 });
    runner.start();
    try {
      for (let n = 1; n <= 3; n++) {
        await handle.db.insert(tasks).values({ tenantId: 'A', type: 'import', input: {} });
        runner.taskQueued();
        await vi.waitFor(() => expect(rounds).toHaveLength(n), { timeout: 10_000 });
        expect(rounds[n - 1]!.dispatched).toHaveLength(1);
      }
    } finally {
      await runner.stop();
    }
  });

  it('looks again when another replica held the dispatch lock, so a kick is never lost to its round', async () => {
    await handle.db.delete(workerHeartbeats);
    await handle.db.delete(tasks);
    await handle.db.insert(workerHeartbeats).values({ workerId: 'w3', concurrency: 2 });
    await handle.db.insert(tasks).values({ tenantId: 'A', type: 'import', input: {} });
    const other = await handle.pool.connect(); // plays the replica whose round is running
    await other.query('select pg_advisory_lock($1)', [DISPATCH_LOCK_KEY]);
    const { runner, rounds } = recordingRunner();
    runner.start();
    try {
      runner.kick(); // the only kick
      await vi.waitFor(() => expect(rounds.length).toBeGreaterThanOrEqual(2)); // retried, still locked out
      expect(rounds.every((r) => !r.locked)).toBe(true);
      await other.query('select pg_advisory_unlock($1)', [DISPATCH_LOCK_KEY]);
      await vi.waitFor(
        () => expect(rounds.at(-1)).toMatchObject({ locked: true, dispatched: [expect.anything()] }),
        {
          timeout: 10_000,
        },
      );
    } finally {
      other.release();
      await runner.stop();
    }
  });
});
