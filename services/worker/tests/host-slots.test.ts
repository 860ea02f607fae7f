import { randomUUID } from 'node:crypto';
import { dispatchRound, workerHeartbeats } from '@cloud-images/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkerTestEnv } from './support/worker-test-env.js';

let env: WorkerTestEnv;

beforeAll(async () => {
  env = await WorkerTestEnv.create();
});

afterAll(async () => {
  await env?.dispose();
});

describe('worker processes that share a host', () => {
  it('report their host, and together offer the dispatcher at most its host slots', async () => {
    const hostId = `host-${randomUUID()}`;
    const onHost = { WORKER_CONCURRENCY: '2', WORKER_HOST_ID: hostId, WORKER_HOST_SLOTS: '3' };
    await env.startWorker(onHost);
    await env.startWorker(onHost);
    await env.startWorker({ WORKER_CONCURRENCY: '2', WORKER_HOST_ID: `other-${hostId}` });

    // Each worker writes its first heartbeat as it starts, without waiting for it.
    const rows = await vi.waitFor(async () => {
      const beats = await env.handle.db.select().from(workerHeartbeats);
      expect(beats).toHaveLength(3);
      return beats;
    });
    expect(rows.map((r) => [r.hostId, r.hostSlots, r.concurrency]).sort()).toEqual(
      [
        [hostId, 3, 2],
        [hostId, 3, 2],
        [`other-${hostId}`, expect.any(Number), 2],
      ].sort(),
    );
    // 2 + 2 slots on the shared host count for 3; the other host's 2 count in full.
    const round = await dispatchRound(env.handle.db, { defaultMaxActive: 2, heartbeatTtlMs: 15_000 });
    expect(round.capacity).toBe(3 + 2);

    await env.stopWorkers();
    expect(await env.handle.db.select().from(workerHeartbeats)).toEqual([]);
  }, 60_000);
});
