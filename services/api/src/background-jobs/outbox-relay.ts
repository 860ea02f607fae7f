import { type Database, type Logger, outbox } from '@cloud-images/shared';
import { inArray, isNull, sql } from 'drizzle-orm';

export interface TaskJobRef {
  queue: string;
  taskId: string;
}

/** Puts task jobs on their queues. Must be idempotent per task (the BullMQ jobId is derived from the task id). */
export type PublishTaskJobs = (jobs: TaskJobRef[]) => Promise<void>;

export interface RelayBatchOutcome {
  claimed: number;
  published: number;
  error?: unknown;
}

/**
 * Claims up to `batchSize` unpublished outbox rows (FOR UPDATE SKIP LOCKED: replicas never claim the same row),
 * publishes them, and marks them published in the same transaction. If publishing fails (Redis down), the rows
 * stay unpublished with `attempts`/`last_error` updated, and the next tick retries them. A crash between publish
 * and commit republishes the rows, which the derived jobId turns into a no-op.
 */
export async function relayOutboxBatch(
  db: Database,
  publish: PublishTaskJobs,
  batchSize = 100,
): Promise<RelayBatchOutcome> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: outbox.id, taskId: outbox.taskId, queue: outbox.queue })
      .from(outbox)
      .where(isNull(outbox.publishedAt))
      .orderBy(outbox.id)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    if (rows.length === 0) return { claimed: 0, published: 0 };
    const ids = rows.map((row) => row.id);
    try {
      await publish(rows.map(({ queue, taskId }) => ({ queue, taskId })));
    } catch (error) {
      await tx
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, lastError: String((error as Error)?.message ?? error) })
        .where(inArray(outbox.id, ids));
      return { claimed: rows.length, published: 0, error };
    }
    await tx.update(outbox).set({ publishedAt: sql`now()`, lastError: null }).where(inArray(outbox.id, ids));
    return { claimed: rows.length, published: rows.length };
  });
}

/**
 * Runs `relayOutboxBatch` on a timer and on demand (`kick()` right after a POST commits), one run at a time
 * per process. A kick during a run schedules exactly one more run, so no committed row waits for the next tick.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private rerun = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly publish: PublishTaskJobs,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.kick();
      }
    });
  }

  /** Publishes until the outbox is empty or publishing fails; never throws. */
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const outcome = await relayOutboxBatch(this.db, this.publish);
        total += outcome.published;
        if (outcome.error) {
          this.logger.warn(
            { err: outcome.error, rows: outcome.claimed },
            'outbox relay: publish failed; will retry',
          );
          break;
        }
        if (outcome.claimed === 0) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay: database error; will retry');
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.kick();
      if (!this.stopped) this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }
}
