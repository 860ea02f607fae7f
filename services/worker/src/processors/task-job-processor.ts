import {
  TaskMessage,
  type TaskOutcomeWriter,
  type TaskType,
  taskJobOptions,
  taskJobPayload,
} from '@cloud-images/shared';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { describeError, isTaskFailedError, JobHandedBackError } from '../errors.js';
import { failureCode } from '../failure-code.js';
import type { JobOutcome, WorkerMetrics } from '../metrics.js';
import { JobDeadline } from '../tasks/job-deadline.js';
import { ProgressReporter } from '../tasks/progress-reporter.js';
import type { TaskRunContext } from '../tasks/task-run-context.js';
import type { TaskStateStore } from '../tasks/task-state-store.js';
import type { WorkerHeartbeat } from '../tasks/worker-heartbeat.js';

export type TaskJobProcessor = (job: Job, token: string | undefined, shutdown: AbortSignal) => Promise<void>;

export interface TaskJobProcessorOptions {
  queue: string;
  taskType: TaskType;
  tasks: TaskStateStore;
  /** The shared writer of terminal states: failures decided here go through it like every other outcome. */
  outcomes: TaskOutcomeWriter;
  metrics: WorkerMetrics;
  logger: Logger;
  progressIntervalMs: number;
  runUseCase: (run: TaskRunContext) => Promise<void>;
  /** Best-effort cleanup when the task fails for good on a transient error (e.g. a half-made image). */
  discardLeftovers?: (taskId: string) => Promise<void>;
  /** Keeps heartbeat_at of the running task fresh, so recovery knows the job is alive. */
  heartbeat: WorkerHeartbeat;
  /** Per-job deadline: base + size / minimum rate (see JobDeadline). */
  deadline: { baseMs: number; minBytesPerSecond: number };
  /** Called when a job ends, whatever its outcome: the freed slot is refilled at once (dispatcher kick). */
  onJobEnded: () => void;
}

/** Handing a job back at shutdown: retry soon on another worker, without spending an attempt. */
const HAND_BACK_DELAY_MS = 1_000;

/**
 * The bridge between BullMQ and a use case. Jobs run at least once; the task row makes the effect happen once:
 * - the claim is a compare-and-set, and a job for a terminal task does nothing;
 * - TaskFailedError → task failure with its client message, and UnrecoverableError so BullMQ does not retry;
 * - any other error is transient → rethrown for a retry with backoff; on the last attempt the task fails with
 *   the generic internal-error message (the detail goes to the log and tasks.last_error);
 * - a shutdown abort moves the job back to the queue (delayed) and leaves the task processing.
 */
export function createTaskJobProcessor(options: TaskJobProcessorOptions): TaskJobProcessor {
  const { queue, tasks, outcomes, metrics } = options;
  return async (job, token, shutdown) => {
    const started = performance.now();
    const payload = taskJobPayload.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`job ${job.id} has no valid {taskId} payload`);
    const { taskId } = payload.data;
    const logger = options.logger.child({ queue, taskId, jobId: job.id, attempt: job.attemptsMade + 1 });
    let outcome: JobOutcome = 'skipped';
    let progress: ProgressReporter | undefined;
    const deadline = new JobDeadline(options.deadline.baseMs, options.deadline.minBytesPerSecond);
    const signal = AbortSignal.any([shutdown, deadline.signal]);
    options.heartbeat.taskStarted(taskId);
    let taskEnded: (() => void) | undefined;
    try {
      const task = await tasks.claim(taskId, options.taskType);
      if (!task) {
        logger.info('task is missing, finished or of another type; nothing to do');
        return;
      }
      progress = new ProgressReporter(
        (p) => tasks.reportProgress(taskId, p),
        options.progressIntervalMs,
        (error) => logger.warn({ err: describeError(error) }, 'progress write failed'),
      );
      progress.onStageSize = (bytes) => deadline.sizeKnown(bytes);
      logger.info('task claimed');
      // Queue wait once per task: creation → first claim (a retry's wait is backoff, not backlog).
      if (task.attempts === 1 && task.startedAt) {
        metrics.recordQueueWait(
          options.taskType,
          (task.startedAt.getTime() - task.createdAt.getTime()) / 1000,
        );
      }
      taskEnded = metrics.taskStarted(options.taskType);
      // The deadline (or shutdown) frees the slot even when the use case is stuck in a call that takes no signal (a stat on
      // an endpoint that never answers): the job ends now; the abandoned call ends with its S3 timeout, and the
      // aborted signal stops the use case at its next step.
      const run = options.runUseCase({ task, progress, signal });
      run.catch(() => {});
      await Promise.race([run, rejectWhenAborted(signal)]).catch(async (error: unknown) => {
        // A use case that honours the signal cleans up (aborts its multipart upload) before it settles: give it a
        // moment so a hand-back leaves nothing behind; one stuck in a call that ignores the signal is abandoned.
        if (signal.aborted) await Promise.race([run.catch(() => {}), delay(ABANDON_GRACE_MS)]);
        throw error;
      });
      outcome = 'success';
      logger.info('task succeeded');
    } catch (error) {
      outcome = await settleFailure(error);
      throw outcome === 'handed_back' ? new DelayedError() : toQueueError(error);
    } finally {
      deadline.clear();
      options.heartbeat.taskEnded(taskId);
      options.onJobEnded();
      taskEnded?.();
      const seconds = (performance.now() - started) / 1000;
      metrics.recordJob(queue, options.taskType, outcome, seconds, progress?.streamedBytes ?? 0);
    }

    async function settleFailure(error: unknown): Promise<JobOutcome> {
      await progress?.flush();
      if (isTaskFailedError(error)) {
        logger.info({ detail: error.detail }, 'task failed');
        await outcomes.fail(taskId, { message: error.clientMessage, detail: error.detail });
        metrics.recordFailure(options.taskType, failureCode(error.clientMessage));
        return 'failure';
      }
      if (deadline.expired && !shutdown.aborted) return settleDeadline();
      if (error instanceof JobHandedBackError || shutdown.aborted) {
        logger.warn('shutting down: handing the job back');
        await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
        return 'handed_back';
      }
      const detail = describeError(error);
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        logger.error({ err: detail }, 'task failed on its last attempt');
        await outcomes.fail(taskId, { message: TaskMessage.internalError, detail });
        metrics.recordFailure(options.taskType, failureCode(TaskMessage.internalError));
        await options.discardLeftovers?.(taskId).catch((cleanupError: unknown) => {
          logger.error({ err: describeError(cleanupError) }, 'cleanup after the last attempt failed');
        });
        return 'failure';
      }
      logger.warn({ err: detail }, 'transient error; the job will be retried');
      await tasks.noteRetryableError(taskId, detail, retryDelayMs(job.attemptsMade + 1)).catch(() => {});
      return 'retry';
    }

    /** A job past its deadline (a hung endpoint, a crawling stream) is transient until its last attempt. */
    async function settleDeadline(): Promise<JobOutcome> {
      const detail = `job deadline of ${deadline.deadlineMs} ms passed`;
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        logger.error({ deadlineMs: deadline.deadlineMs }, 'task ran past its deadline on its last attempt');
        await outcomes.fail(taskId, { message: TaskMessage.deadlineExceeded(deadline.deadlineMs), detail });
        await options.discardLeftovers?.(taskId).catch(() => {});
        return 'failure';
      }
      logger.warn({ deadlineMs: deadline.deadlineMs }, 'job deadline passed; the job will be retried');
      await tasks.noteRetryableError(taskId, detail, retryDelayMs(job.attemptsMade + 1)).catch(() => {});
      return 'retry';
    }
  };
}

/** How long an aborted run may take to clean up before the job is ended without it. */
const ABANDON_GRACE_MS = 5_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** BullMQ's exponential backoff for the retry after attempt `attemptsMade` (the task waits that long, alive). */
function retryDelayMs(attemptsMade: number): number {
  const { backoff } = taskJobOptions;
  return backoff.delay * 2 ** Math.max(0, attemptsMade - 1);
}

function toQueueError(error: unknown): Error {
  if (isTaskFailedError(error)) return new UnrecoverableError(error.clientMessage);
  return error instanceof Error ? error : new Error(String(error));
}
