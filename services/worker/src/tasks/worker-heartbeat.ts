import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type DbExecutor, tasks, workerHeartbeats } from '@cloud-images/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';

/**
 * This process's liveness, in Postgres:
 * - its worker_heartbeats row (id, concurrency, host), from which the dispatcher sums the live capacity;
 * - heartbeat_at of every task it is running, refreshed on the same beat whatever the job's progress, so
 *   recovery can tell a long import from a task whose worker died.
 * Removed at a clean stop so the capacity drops at once; after a crash it simply ages out (TTL).
 */
export class WorkerHeartbeat {
  readonly workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly db: DbExecutor,
    private concurrency: number,
    private readonly host: { hostId: string; hostSlots: number },
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  taskStarted(taskId: string): void {
    this.running.add(taskId);
  }

  taskEnded(taskId: string): void {
    this.running.delete(taskId);
  }

  /** At shutdown: this process takes no more jobs, so it offers no capacity while its running jobs finish. */
  draining(): void {
    this.concurrency = 0;
    this.beat();
  }

  /** Stops beating and removes the row (best effort: a row left behind expires with its TTL). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.db
      .delete(workerHeartbeats)
      .where(eq(workerHeartbeats.workerId, this.workerId))
      .catch(() => {});
  }

  private beat(): void {
    if (this.beating) return;
    this.beating = this.write()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'heartbeat write failed'))
      .finally(() => {
        this.beating = undefined;
      });
  }

  private async write(): Promise<void> {
    await this.db
      .insert(workerHeartbeats)
      .values({
        workerId: this.workerId,
        concurrency: this.concurrency,
        ...this.host,
        lastSeenAt: sql`now()`,
      })
      .onConflictDoUpdate({
        target: workerHeartbeats.workerId,
        set: { concurrency: this.concurrency, lastSeenAt: sql`now()` },
      });
    const ids = [...this.running];
    if (ids.length === 0) return;
    await this.db
      .update(tasks)
      .set({ heartbeatAt: sql`greatest(${tasks.heartbeatAt}, now())` })
      .where(and(inArray(tasks.id, ids), eq(tasks.status, 'processing')));
  }
}
