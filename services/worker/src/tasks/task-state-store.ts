import {
  type DbExecutor,
  statusesAllowedBefore,
  type TaskProgress,
  type TaskRow,
  type TaskType,
  tasks,
} from '@cloud-images/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';

/**
 * The worker's non-terminal writes to a task row: the claim, progress and retry notes. Terminal states go
 * through the shared TaskOutcomeWriter. Each is a compare-and-set guarded by the shared state machine, so a
 * redelivered job, a second worker or a late retry can never move a task backwards.
 */
export class TaskStateStore {
  constructor(private readonly db: DbExecutor) {}

  /**
   * pending|processing → processing, counting the attempt. `processing` is allowed because a job that
   * crashed (or was handed back at shutdown) is re-run on a task that is already processing.
   * Returns undefined when the task is missing, terminal or of another type: the job is then a no-op.
   */
  async claim(taskId: string, type: TaskType): Promise<TaskRow | undefined> {
    const [row] = await this.db
      .update(tasks)
      .set({
        status: 'processing',
        attempts: sql`${tasks.attempts} + 1`,
        startedAt: sql`coalesce(${tasks.startedAt}, now())`,
        heartbeatAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(tasks.id, taskId),
          eq(tasks.type, type),
          inArray(tasks.status, [...statusesAllowedBefore('processing'), 'processing']),
        ),
      )
      .returning();
    return row;
  }

  /** Progress is advisory: it only lands while the task is processing. */
  async reportProgress(taskId: string, progress: TaskProgress): Promise<void> {
    await this.db
      .update(tasks)
      .set({ progress, updatedAt: sql`now()` })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'processing')));
  }

  /**
   * Records a transient error that will be retried, without changing the status. The heartbeat is pushed past
   * the retry's backoff: the task is alive, waiting in the queue's delayed set, not abandoned.
   */
  async noteRetryableError(taskId: string, detail: string, retryDelayMs = 0): Promise<void> {
    await this.db
      .update(tasks)
      .set({
        lastError: detail.slice(0, 4000),
        heartbeatAt: sql`now() + make_interval(secs => ${retryDelayMs / 1000})`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'processing')));
  }
}
