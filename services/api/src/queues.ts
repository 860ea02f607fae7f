import {
  createRedisConnection,
  jobIdForTask,
  type Logger,
  QueueName,
  type TaskJobPayload,
  taskJobOptions,
} from '@cloud-images/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskJobRef } from './background-jobs/outbox-relay.js';
import type { EnsureTaskJob } from './background-jobs/pending-task-reconciler.js';

/** How long a publish may wait on Redis before the relay gives up for this tick (it never blocks a request). */
const PUBLISH_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The ONE place the API builds BullMQ queues: the task queues (import, export) on a fail-fast producer
 * connection, fed by the outbox relay and the reconciler. Maintenance (reconcile, purge, recovery) runs on
 * process timers, not BullMQ job schedulers, so it survives Redis coming back empty.
 */
export function createApiQueues(options: { redisUrl: string; prefix: string; logger: Logger }) {
  const producer: Redis = createRedisConnection(options.redisUrl, 'producer');
  const prefix = options.prefix;
  const taskQueues = new Map<string, Queue<TaskJobPayload>>(
    [QueueName.import, QueueName.export].map((name) => [
      name,
      new Queue<TaskJobPayload>(name, { connection: producer, prefix }),
    ]),
  );
  for (const queue of [...taskQueues.values()]) {
    queue.on('error', (error) => options.logger.debug({ err: error, queue: queue.name }, 'queue error'));
  }

  function taskQueue(name: string): Queue<TaskJobPayload> {
    const queue = taskQueues.get(name);
    if (!queue) throw new Error(`unknown task queue '${name}'`);
    return queue;
  }

  /** Adds each task's job under its derived jobId: BullMQ ignores an add whose jobId exists, so replays are free. */
  async function publishTaskJobs(jobs: TaskJobRef[]): Promise<void> {
    const byQueue = new Map<string, TaskJobRef[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    const adds = [...byQueue].map(([name, group]) =>
      taskQueue(name).addBulk(
        group.map(({ taskId }) => ({
          name: name === QueueName.import ? 'import' : 'export',
          data: { taskId },
          opts: { ...taskJobOptions, jobId: jobIdForTask(taskId) },
        })),
      ),
    );
    await withTimeout(Promise.all(adds), PUBLISH_TIMEOUT_MS, 'publishing task jobs');
  }

  /** For the reconciler: add the job if it is gone, retry it if it failed for good, else leave it be. */
  const ensureTaskJob: EnsureTaskJob = async ({ taskId, type, queue: name }) => {
    const queue = taskQueue(name);
    const job = await queue.getJob(jobIdForTask(taskId));
    if (!job) {
      await queue.add(type, { taskId }, { ...taskJobOptions, jobId: jobIdForTask(taskId) });
      return true;
    }
    if (await job.isFailed()) {
      await job.retry('failed');
      return true;
    }
    if (await job.isCompleted()) {
      // The task was re-dispatched after its old job ended (recovery): the old record would swallow the add.
      await job.remove();
      await queue.add(type, { taskId }, { ...taskJobOptions, jobId: jobIdForTask(taskId) });
      return true;
    }
    return false;
  };

  async function ping(): Promise<void> {
    await producer.ping();
  }

  async function close(): Promise<void> {
    await Promise.all([...taskQueues.values()].map((queue) => queue.close()));
    producer.disconnect();
  }

  return {
    taskQueue,
    publishTaskJobs,
    ensureTaskJob,
    ping,
    close,
  };
}

export type ApiQueues = ReturnType<typeof createApiQueues>;
