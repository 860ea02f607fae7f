import { createRedisConnection } from '@cloud-images/shared';
import { uniqueName } from '@cloud-images/test-stack';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  LEGACY_MAINTENANCE_QUEUE,
  LEGACY_MAINTENANCE_SCHEDULERS,
  removeLegacyMaintenanceQueue,
} from '../src/background-jobs/legacy-maintenance-cleanup.js';
import { startTestApi, type TestApi } from './support/api-harness.js';

/**
 * An upgraded deployment: its Redis still holds the job schedulers the previous release upserted at start-up
 * (reconciler, purge, image-store sweep on the `maintenance` queue) and the jobs they had scheduled.
 */
const prefix = uniqueName('legacy');
let redis: Redis;
let legacy: Queue;
let t: TestApi | undefined;

const legacyKeys = () => redis.keys(`${prefix}:${LEGACY_MAINTENANCE_QUEUE}:*`);

beforeAll(async () => {
  redis = createRedisConnection(inject('stack').redis.url, 'worker');
  legacy = new Queue(LEGACY_MAINTENANCE_QUEUE, { connection: redis, prefix });
  for (const kind of LEGACY_MAINTENANCE_SCHEDULERS) {
    // Exactly what the old API did (git show 1396571 -- services/api/src/queues.ts).
    await legacy.upsertJobScheduler(kind, { every: 60_000 }, { name: kind, data: { kind } });
  }
  await legacy.add('purge-expired-tasks', { kind: 'purge-expired-tasks' });
});

afterAll(async () => {
  await t?.close();
  await legacy?.close();
  redis?.disconnect();
});

describe('legacy BullMQ maintenance schedulers (before process timers)', () => {
  it('are removed, with their queue, when the API starts', async () => {
    expect((await legacy.getJobSchedulers()).map((s) => s.key).sort()).toEqual(
      [...LEGACY_MAINTENANCE_SCHEDULERS].sort(),
    );
    const before = await legacyKeys();
    expect(before.length).toBeGreaterThan(0);

    t = await startTestApi({ QUEUE_PREFIX: prefix });
    await t.api.legacyCleanupDone;

    expect(await legacy.getJobSchedulers()).toEqual([]);
    expect(await legacyKeys()).toEqual([]);
    console.log(
      `[legacy-cleanup] ${before.length} keys of the legacy maintenance queue removed at API start`,
    );
    // The API's own queues are untouched and it answers.
    expect((await t.opsRequest('GET', '/healthz')).status).toBe(200);
  });

  it('is idempotent: a second run on a clean Redis removes nothing and does not fail', async () => {
    await expect(removeLegacyMaintenanceQueue(inject('stack').redis.url, prefix)).resolves.toEqual({
      schedulersRemoved: 0,
    });
    expect(await legacyKeys()).toEqual([]);
  });

  it('fails (and is retried by the API) instead of hanging when Redis is unreachable', async () => {
    await expect(removeLegacyMaintenanceQueue('redis://127.0.0.1:1', prefix)).rejects.toThrow();
  }, 30_000);
});
