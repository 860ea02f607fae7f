import { createLogger, jobIdForTask, outbox, QueueName, tasks } from '@cloud-images/shared';
import { uniqueName } from '@cloud-images/test-stack';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredTasks } from '../src/background-jobs/expired-task-purge.js';
import { relayOutboxBatch } from '../src/background-jobs/outbox-relay.js';
import { reconcilePendingTasks } from '../src/background-jobs/pending-task-reconciler.js';
import { type ApiQueues, createApiQueues } from '../src/queues.js';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
let queues: ApiQueues;
const logger = createLogger({ name: 'test', level: 'silent' });

beforeAll(async () => {
  // A long relay interval and a 1 s purge timer: this file drives the relay by hand.
  t = await startTestApi({ OUTBOX_RELAY_INTERVAL_MS: '60000', MAINTENANCE_INTERVAL_MS: '1000' });
  tenant = await t.createTestTenant();
  queues = createApiQueues({ redisUrl: t.config.REDIS_URL, prefix: uniqueName('relay'), logger });
});
afterAll(async () => {
  await queues?.close();
  await t?.close();
});

async function insertPendingTask(): Promise<string> {
  const [row] = await t.db
    .insert(tasks)
    .values({ tenantId: tenant.id, type: 'import', input: importBody().input, dispatchedAt: sql`now()` })
    .returning();
  await t.db
    .insert(outbox)
    .values({ taskId: row!.id, queue: QueueName.import, payload: { taskId: row!.id } });
  return row!.id;
}

describe('relayOutboxBatch', () => {
  it('keeps rows unpublished and counts the attempt when publishing fails', async () => {
    await t.api.relay.stop(); // the API's own relay must not race this test
    const id = await insertPendingTask();
    const outcome = await relayOutboxBatch(t.db, async () => {
      throw new Error('redis is down');
    });
    expect(outcome.published).toBe(0);
    expect(outcome.error).toBeInstanceOf(Error);
    const [row] = await t.db.select().from(outbox).where(eq(outbox.taskId, id));
    expect(row).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'redis is down' });
  });

  it('publishes with the derived jobId, so publishing twice still leaves one job', async () => {
    const id = await insertPendingTask();
    await relayOutboxBatch(t.db, queues.publishTaskJobs);
    // Replay as if the commit had been lost after the publish.
    await queues.publishTaskJobs([{ queue: QueueName.import, taskId: id }]);
    const [row] = await t.db.select().from(outbox).where(eq(outbox.taskId, id));
    expect(row?.publishedAt).toBeInstanceOf(Date);
    const queue = queues.taskQueue(QueueName.import);
    expect((await queue.getJob(jobIdForTask(id)))?.data).toEqual({ taskId: id });
    const waiting = await queue.getJobs(['waiting']);
    expect(waiting.filter((job) => job.data.taskId === id)).toHaveLength(1);
  });

  it('lets concurrent relays claim disjoint rows (SKIP LOCKED)', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, insertPendingTask));
    const published: string[] = [];
    const slowPublish = async (jobs: { taskId: string }[]) => {
      await new Promise((r) => setTimeout(r, 100));
      published.push(...jobs.map((j) => j.taskId));
    };
    await Promise.all([relayOutboxBatch(t.db, slowPublish, 10), relayOutboxBatch(t.db, slowPublish, 10)]);
    expect(new Set(published).size).toBe(published.length);
    expect(published.filter((p) => ids.includes(p)).length).toBeGreaterThan(0);
  });
});

describe('reconcilePendingTasks', () => {
  it('re-enqueues a stale pending task whose job is gone, once, and leaves relay-owned tasks alone', async () => {
    // Earlier tests "published" tasks to fake publishers; take them out of the picture.
    await t.db.update(tasks).set({ status: 'failure' }).where(eq(tasks.status, 'pending'));
    const lost = await insertPendingTask();
    await relayOutboxBatch(t.db, queues.publishTaskJobs, 1000);
    await (await queues.taskQueue(QueueName.import).getJob(jobIdForTask(lost)))?.remove();
    const unrelayed = await insertPendingTask();
    await t.db
      .update(tasks)
      .set({ updatedAt: sql`now() - interval '1 hour'`, dispatchedAt: sql`now() - interval '1 hour'` });

    expect(await reconcilePendingTasks(t.db, queues.ensureTaskJob, 60)).toBe(1);
    expect(await queues.taskQueue(QueueName.import).getJob(jobIdForTask(lost))).toBeDefined();
    expect(await queues.taskQueue(QueueName.import).getJob(jobIdForTask(unrelayed))).toBeUndefined();
    // The job exists now: reconciling again does nothing.
    expect(await reconcilePendingTasks(t.db, queues.ensureTaskJob, 60)).toBe(0);
  });

  it('ignores tasks that are not stale yet', async () => {
    await insertPendingTask();
    await relayOutboxBatch(t.db, queues.publishTaskJobs, 1000);
    expect(await reconcilePendingTasks(t.db, queues.ensureTaskJob, 3600)).toBe(0);
  });
});

describe('purgeExpiredTasks', () => {
  it('deletes expired tasks only', async () => {
    const expired = await insertPendingTask();
    const fresh = await insertPendingTask();
    await t.db
      .update(tasks)
      .set({ status: 'failure', expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(tasks.id, expired));
    await t.db
      .update(tasks)
      .set({ status: 'failure', expiresAt: sql`now() + interval '1 hour'` })
      .where(eq(tasks.id, fresh));
    expect(await purgeExpiredTasks(t.db, new Date())).toBeGreaterThanOrEqual(1);
    const left = await t.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(sql`${tasks.id} in (${expired}, ${fresh})`);
    expect(left.map((r) => r.id)).toEqual([fresh]);
  });

  it('runs on a process timer inside the API process (no Redis schedule)', async () => {
    const expired = await insertPendingTask();
    await t.db
      .update(tasks)
      .set({ status: 'failure', expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(tasks.id, expired));
    await expect
      .poll(async () => (await t.db.select().from(tasks).where(eq(tasks.id, expired))).length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(0);
  });
});
