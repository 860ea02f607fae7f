import {
  statusesAllowedBefore,
  type TaskProgress,
  type TaskRow,
  type TaskType,
  tasks,
} from '@cloud-images/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbExecutor } from './db-executor.js';

/**
 * Every write a worker makes to a task row. Each is a compare-and-set guarded by the shared state machine,
 * so a redelivered job, a second worker or a late retry can never move a task backwards or finish it twice.
 */
export class TaskStateStore {
  constructor(
    private readonly db: DbExecutor,
    private readonly taskTtlSeconds: number,
  ) {}

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

  /** processing → success. Returns false if the task was no longer processing (someone else finished it). */
  async complete(
    taskId: string,
    result: Record<string, unknown>,
    db: DbExecutor = this.db,
  ): Promise<boolean> {
    const rows = await db
      .update(tasks)
      .set({
        status: 'success',
        result,
        message: null,
        updatedAt: sql`now()`,
        expiresAt: this.expiry(),
      })
      .where(and(eq(tasks.id, taskId), inArray(tasks.status, statusesAllowedBefore('success'))))
      .returning({ id: tasks.id });
    return rows.length === 1;
  }

  /** pending|processing → failure with the client-visible message; `detail` is kept for operators. */
  async fail(taskId: string, message: string, detail: string, db: DbExecutor = this.db): Promise<boolean> {
    const rows = await db
      .update(tasks)
      .set({
        status: 'failure',
        message,
        lastError: detail.slice(0, 4000),
        updatedAt: sql`now()`,
        expiresAt: this.expiry(),
      })
      .where(and(eq(tasks.id, taskId), inArray(tasks.status, statusesAllowedBefore('failure'))))
      .returning({ id: tasks.id });
    return rows.length === 1;
  }

  /** Records a transient error that will be retried, without changing the status. */
  async noteRetryableError(taskId: string, detail: string): Promise<void> {
    await this.db
      .update(tasks)
      .set({ lastError: detail.slice(0, 4000), updatedAt: sql`now()` })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'processing')));
  }

  private expiry() {
    return sql`now() + make_interval(secs => ${this.taskTtlSeconds})`;
  }
}
