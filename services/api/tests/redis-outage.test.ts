import { jobIdForTask, outbox, QueueName } from '@cloud-images/shared';
import { type PrivateRedis, startRedis } from '@cloud-images/test-stack';
import { Queue } from 'bullmq';
import { isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let redis: PrivateRedis;
let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  redis = await startRedis();
  t = await startTestApi({ REDIS_URL: redis.url, OUTBOX_RELAY_INTERVAL_MS: '250' });
  tenant = await t.createTestTenant();
  // Every task may be dispatched at once, so each one reaches the outbox and the queue as before.
  await t.setTenantLimits(tenant.id, { maxPendingTasks: 1000, maxActiveTasks: 1000 });
  await t.fakeWorkerCapacity(1000);
});
afterAll(async () => {
  await t?.close();
  await redis?.destroy();
});

const post = (i: number) =>
  t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody(`burst ${i}`) });

describe('Redis outage during a burst of POSTs', () => {
  it('answers 201 throughout and, once Redis is back, gives every task exactly one job', async () => {
    const BURST = 240;
    const ids: string[] = [];
    // Fire the first third while Redis is up, stop it mid-burst, then send the rest while it is down.
    const first = await Promise.all(Array.from({ length: BURST / 3 }, (_, i) => post(i)));
    const stopping = redis.stop();
    const middle = await Promise.all(Array.from({ length: BURST / 3 }, (_, i) => post(BURST / 3 + i)));
    await stopping;
    const notReady = await t.opsRequest('GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json.error).toMatchObject({ code: 503, message: expect.stringMatching(/redis/) });
    const startedDown = Date.now();
    const last = await Promise.all(Array.from({ length: BURST / 3 }, (_, i) => post((2 * BURST) / 3 + i)));
    const downFor = Date.now() - startedDown;
    for (const res of [...first, ...middle, ...last]) {
      expect(res.status).toBe(201);
      ids.push(res.json.id);
    }
    // POST never waits on Redis: the whole down-phase third finished quickly.
    expect(downFor).toBeLessThan(15_000);
    const [{ unpublished } = { unpublished: 0 }] = await t.db
      .select({ unpublished: sql<number>`count(*)::int` })
      .from(outbox)
      .where(isNull(outbox.publishedAt));
    expect(unpublished).toBeGreaterThan(0);

    await redis.start();
    // Done when every task is dispatched (its outbox row written; the dispatcher goes in rounds of at most
    // DISPATCH_ROUND_MAX_TASKS) and every outbox row is published.
    await expect
      .poll(
        async () => {
          const { rows } = await t.db.execute(
            sql`select (select count(*) from tasks where dispatched_at is null)::int
                     + (select count(*) from outbox where published_at is null)::int as n`,
          );
          return (rows[0] as { n: number }).n;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe(0);

    const queue = new Queue(QueueName.import, {
      connection: { url: redis.url },
      prefix: t.config.QUEUE_PREFIX,
    });
    try {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'completed',
        'failed',
        'prioritized',
        'paused',
      );
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      expect(total).toBe(BURST);
      const jobs = await queue.getJobs(['waiting', 'paused', 'prioritized', 'delayed'], 0, BURST * 2);
      const jobTaskIds = jobs.map((job) => job.data.taskId as string);
      expect(new Set(jobTaskIds).size).toBe(jobTaskIds.length);
      expect(new Set(jobTaskIds)).toEqual(new Set(ids));
      expect(jobs.every((job) => job.id === jobIdForTask(job.data.taskId))).toBe(true);
    } finally {
      await queue.close();
    }
  });
});
