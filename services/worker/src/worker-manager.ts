import {
  createRedisConnection,
  type QueueName,
  TaskMessage,
  type TaskOutcomeWriter,
} from '@cloud-images/shared';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeError } from './errors.js';
import type { TaskJobProcessor } from './processors/task-job-processor.js';

export interface WorkerManagerOptions {
  redisUrl: string;
  queuePrefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  shutdownTimeoutMs: number;
  processors: Partial<Record<QueueName, TaskJobProcessor>>;
  /** Ends the task of a job BullMQ gave up on by itself (stalled too often). */
  outcomes: TaskOutcomeWriter;
  logger: Logger;
}

/**
 * A job that stalls this many times (its worker died or its event loop froze past the lock) is failed.
 * Two leaves room for a SIGKILL plus one more accident, without looping forever on a job that kills workers.
 */
const MAX_STALLED_COUNT = 2;

/**
 * The one place BullMQ Workers are built. Owns their Redis connection, their lock and stall settings and
 * the shutdown sequence: stop taking jobs, let running ones finish until the deadline, then abort their
 * streams so they hand their jobs back.
 */
export class WorkerManager {
  private readonly connection: Redis;
  private readonly workers: Worker[] = [];
  private readonly shutdown = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: WorkerManagerOptions) {
    this.connection = createRedisConnection(options.redisUrl, 'worker');
  }

  start(): void {
    const { options } = this;
    for (const [queue, processor] of Object.entries(options.processors) as [QueueName, TaskJobProcessor][]) {
      const worker = new Worker(queue, (job, token) => processor(job, token, this.shutdown.signal), {
        connection: this.connection,
        prefix: options.queuePrefix,
        concurrency: options.concurrency,
        lockDuration: options.lockDurationMs,
        stalledInterval: options.stalledIntervalMs,
        maxStalledCount: MAX_STALLED_COUNT,
        autorun: true,
      });
      worker.on('failed', (job, error) => void this.onFailed(queue, job, error));
      worker.on('error', (error) =>
        options.logger.error({ queue, err: describeError(error) }, 'worker error'),
      );
      this.workers.push(worker);
    }
    options.logger.info(
      { queues: Object.keys(options.processors), concurrency: options.concurrency },
      'workers started',
    );
  }

  /** Ready when Redis answers and every worker is consuming. */
  isReady(): boolean {
    return (
      !this.closing &&
      this.connection.status === 'ready' &&
      this.workers.length > 0 &&
      this.workers.every((w) => w.isRunning())
    );
  }

  /**
   * Graceful stop. worker.close() stops fetching and waits for running jobs; past the deadline the shared
   * AbortSignal fires, the running streams stop, and their processors move the jobs back to the queue.
   */
  close(): Promise<void> {
    this.closing ??= this.closeWorkers();
    return this.closing;
  }

  private async closeWorkers(): Promise<void> {
    const { logger, shutdownTimeoutMs } = this.options;
    const closed = Promise.all(this.workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), shutdownTimeoutMs);
    });
    if ((await Promise.race([closed, deadline])) === 'deadline') {
      logger.warn({ shutdownTimeoutMs }, 'shutdown deadline passed: aborting running jobs');
      this.shutdown.abort();
      await closed;
    }
    clearTimeout(timer);
    await this.connection.quit().catch(() => this.connection.disconnect());
    logger.info('workers stopped');
  }

  /**
   * A job BullMQ gives up on without our processor deciding it (stalled too often) would leave its task
   * processing forever: fail the task. For jobs the processor already failed this is a no-op (compare-and-set).
   */
  private async onFailed(queue: string, job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const exhausted =
      job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than/i.test(error.message);
    const taskId = (job.data as { taskId?: unknown }).taskId;
    if (!exhausted || typeof taskId !== 'string') return;
    try {
      const failed = await this.options.outcomes.fail(taskId, {
        message: TaskMessage.internalError,
        detail: describeError(error),
      });
      if (failed)
        this.options.logger.error({ queue, taskId, err: error.message }, 'job abandoned by the queue');
    } catch (failError) {
      this.options.logger.error(
        { queue, taskId, err: describeError(failError) },
        'could not fail an abandoned task',
      );
    }
  }
}
