import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbExecutor } from '../db/client.js';
import { type TaskRow, tasks } from '../db/schema.js';
import { statusesAllowedBefore } from './task-status.js';

/** A terminal failure: what the client sees, and what only operators see (logs, tasks.last_error). */
export interface TaskFailure {
  message: string;
  detail?: string;
}

/** What tasks.last_error keeps of a detail: enough to diagnose, bounded so a runaway message can't bloat rows. */
const LAST_ERROR_MAX_CHARS = 4000;

/**
 * THE writer of terminal task states (success, failure), for every path that ends a task: the worker's import
 * and export, retries that ran out, stalled jobs, the API's tasks that are born failed, and any later recovery.
 * Each write is a compare-and-set guarded by the shared state machine, so a late retry, a second worker or a
 * recovery sweep can never move a task backwards or end it twice: the one that loses gets `undefined`.
 * Every write takes an optional executor, so a caller's transaction can make it atomic with its own writes
 * (an image turning active together with its task's success).
 */
export class TaskOutcomeWriter {
  constructor(
    private readonly db: DbExecutor,
    /** How long a finished task stays visible (its `expires_at`). */
    private readonly ttlSeconds: number,
  ) {}

  /** → success with `result`. Returns the settled row, or undefined if the task could not move there. */
  async succeed(
    taskId: string,
    result: Record<string, unknown>,
    db: DbExecutor = this.db,
  ): Promise<TaskRow | undefined> {
    const [row] = await db
      .update(tasks)
      .set({ status: 'success', result, message: null, updatedAt: sql`now()`, expiresAt: this.expiry() })
      .where(and(eq(tasks.id, taskId), inArray(tasks.status, statusesAllowedBefore('success'))))
      .returning();
    return row;
  }

  /** → failure with the client-visible message. Returns the settled row, or undefined as for `succeed`. */
  async fail(taskId: string, failure: TaskFailure, db: DbExecutor = this.db): Promise<TaskRow | undefined> {
    const [row] = await db
      .update(tasks)
      .set({
        status: 'failure',
        message: failure.message,
        ...(failure.detail === undefined ? {} : { lastError: failure.detail.slice(0, LAST_ERROR_MAX_CHARS) }),
        updatedAt: sql`now()`,
        expiresAt: this.expiry(),
      })
      .where(and(eq(tasks.id, taskId), inArray(tasks.status, statusesAllowedBefore('failure'))))
      .returning();
    return row;
  }

  private expiry() {
    return sql`now() + make_interval(secs => ${this.ttlSeconds})`;
  }
}
