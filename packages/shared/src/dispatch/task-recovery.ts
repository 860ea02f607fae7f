import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../db/client.js';
import { taskJobOptions } from '../queue/catalog.js';
import { TaskMessage } from '../tasks/task-messages.js';
import type { TaskOutcomeWriter } from '../tasks/task-outcome.js';

export interface StaleTaskRecovery {
  /** Tasks put back to pending (undispatched) for the dispatcher to hand out again. */
  requeued: string[];
  /** Tasks whose attempts were spent: failed through the shared outcome writer. */
  failed: string[];
}

/**
 * A task `processing` whose heartbeat (refreshed by its worker every few seconds while the job runs, whatever its
 * progress) is older than `heartbeatTimeoutMs` has no live job: its worker died, or Redis lost the job. It goes
 * back to pending for re-dispatch, or, with its attempts spent, fails through the ONE outcome writer. Liveness is
 * the heartbeat, never the task's age, so a 40 GiB import that streams for minutes is never run twice.
 * Each reset is a compare-and-set on the stale heartbeat, so a heartbeat landing meanwhile wins.
 */
export async function recoverStaleTasks(
  db: DbExecutor,
  outcomes: TaskOutcomeWriter,
  options: { heartbeatTimeoutMs: number; maxAttempts?: number; batchSize?: number },
): Promise<StaleTaskRecovery> {
  const maxAttempts = options.maxAttempts ?? taskJobOptions.attempts;
  const staleBefore = sql`now() - make_interval(secs => ${options.heartbeatTimeoutMs / 1000})`;
  const isStale = sql`status = 'processing' and coalesce(heartbeat_at, updated_at) < ${staleBefore}`;
  const stale = (
    await db.execute(sql`
      select id, attempts from tasks where ${isStale} order by updated_at limit ${options.batchSize ?? 500}`)
  ).rows as { id: string; attempts: number }[];
  const outcome: StaleTaskRecovery = { requeued: [], failed: [] };
  for (const task of stale) {
    if (task.attempts >= maxAttempts) {
      const failed = await outcomes.fail(task.id, {
        message: TaskMessage.workerLost,
        detail: `no worker heartbeat for ${options.heartbeatTimeoutMs} ms after ${task.attempts} attempts`,
      });
      if (failed) outcome.failed.push(task.id);
      continue;
    }
    const reset = await db.execute(sql`
      update tasks set status = 'pending', dispatched_at = null, heartbeat_at = null, updated_at = now(),
        last_error = ${`no worker heartbeat for ${options.heartbeatTimeoutMs} ms; re-dispatched`}
      where id = ${task.id} and ${isStale}`);
    if ((reset.rowCount ?? 0) > 0) outcome.requeued.push(task.id);
  }
  return outcome;
}
