import { type Database, outbox, queueForTaskType, type TaskType, tasks } from '@cloud-images/shared';
import { and, eq, isNotNull, isNull, lt, notExists, sql } from 'drizzle-orm';
import { taskIsVisible } from '../tasks/task-repository.js';

/**
 * Makes sure a stale pending task has a live job. Returns true if it (re-)enqueued anything.
 * Implementations must be idempotent (derived jobId), so reconciling a task whose job merely waits is harmless.
 */
export type EnsureTaskJob = (task: { taskId: string; type: TaskType; queue: string }) => Promise<boolean>;

/**
 * Re-enqueues tasks dispatched more than `olderThanSeconds` ago and still unclaimed although the relay already
 * published them (a job lost with a Redis flush, or dead-lettered before the worker could claim it). Undispatched
 * tasks wait in Postgres for the dispatcher, and tasks whose outbox row is still unpublished belong to the relay:
 * both are skipped. Returns how many tasks were re-enqueued.
 */
export async function reconcilePendingTasks(
  db: Database,
  ensureJob: EnsureTaskJob,
  olderThanSeconds: number,
  batchSize = 500,
): Promise<number> {
  const stale = await db
    .select({ id: tasks.id, type: tasks.type })
    .from(tasks)
    .where(
      and(
        eq(tasks.status, 'pending'),
        isNotNull(tasks.dispatchedAt),
        lt(tasks.dispatchedAt, sql`now() - make_interval(secs => ${olderThanSeconds})`),
        taskIsVisible,
        notExists(
          db
            .select({ one: sql`1` })
            .from(outbox)
            .where(and(eq(outbox.taskId, tasks.id), isNull(outbox.publishedAt))),
        ),
      ),
    )
    .orderBy(tasks.dispatchedAt)
    .limit(batchSize);
  let reenqueued = 0;
  for (const task of stale) {
    if (await ensureJob({ taskId: task.id, type: task.type, queue: queueForTaskType[task.type] }))
      reenqueued++;
  }
  return reenqueued;
}
