import {
  createRedisConnection,
  jobIdForTask,
  type Logger,
  type MaintenanceJobPayload,
  QueueName,
  type TaskJobPayload,
  taskJobOptions,
} from '@cloud-images/shared';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskJobRef } from './background-jobs/outbox-relay.js';
import type { EnsureTaskJob } from './background-jobs/pending-task-reconciler.js';

export type MaintenanceKind = MaintenanceJobPayload['kind'];
export type MaintenanceHandlers = Partial<Record<MaintenanceKind, () => Promise<unknown>>>;

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
 * The ONE place the API builds BullMQ queues and workers:
 * - task queues (import, export) on a fail-fast producer connection, fed by the outbox relay and the reconciler;
 * - the maintenance queue, whose job schedulers fire the reconciler and the purge, and the small maintenance
 *   worker (reconnect-forever connection) that runs them in this process.
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
  const maintenanceQueue = new Queue<MaintenanceJobPayload>(QueueName.maintenance, {
    connection: producer,
    prefix,
  });
  for (const queue of [...taskQueues.values(), maintenanceQueue]) {
    queue.on('error', (error) => options.logger.debug({ err: error, queue: queue.name }, 'queue error'));
  }
  let maintenanceWorker: Worker<MaintenanceJobPayload> | undefined;
  let workerConnection: Redis | undefined;

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
    return false;
  };

  /** Upserts the repeatable maintenance schedules; idempotent, so every replica may call it at start-up. */
  async function upsertMaintenanceSchedulers(everyMs: number): Promise<void> {
    for (const kind of ['reconcile-pending-tasks', 'purge-expired-tasks', 'sweep-image-store'] as const) {
      await withTimeout(
        maintenanceQueue.upsertJobScheduler(kind, { every: everyMs }, { name: kind, data: { kind } }),
        PUBLISH_TIMEOUT_MS,
        'upserting job scheduler',
      );
    }
  }

  function startMaintenanceWorker(handlers: MaintenanceHandlers): void {
    workerConnection = createRedisConnection(options.redisUrl, 'worker');
    maintenanceWorker = new Worker<MaintenanceJobPayload>(
      QueueName.maintenance,
      async (job: Job<MaintenanceJobPayload>) => {
        const handler = handlers[job.data.kind];
        // The worker service may own other maintenance kinds on this queue; they are not ours to fail.
        return handler ? handler() : 'not handled by the api';
      },
      { connection: workerConnection, prefix, concurrency: 1 },
    );
    maintenanceWorker.on('error', (error) =>
      options.logger.debug({ err: error }, 'maintenance worker error'),
    );
    maintenanceWorker.on('failed', (job, error) =>
      options.logger.warn({ err: error, kind: job?.data.kind }, 'maintenance job failed'),
    );
  }

  async function ping(): Promise<void> {
    await producer.ping();
  }

  async function close(): Promise<void> {
    await maintenanceWorker?.close();
    await Promise.all([...taskQueues.values(), maintenanceQueue].map((queue) => queue.close()));
    producer.disconnect();
    workerConnection?.disconnect();
  }

  return {
    taskQueue,
    maintenanceQueue,
    publishTaskJobs,
    ensureTaskJob,
    upsertMaintenanceSchedulers,
    startMaintenanceWorker,
    ping,
    close,
  };
}

export type ApiQueues = ReturnType<typeof createApiQueues>;
