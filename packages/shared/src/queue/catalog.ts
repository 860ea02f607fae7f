import { z } from 'zod';

/**
 * Every queue the system uses, and what its jobs carry. Payloads hold ids only: credentials and task input
 * are read from Postgres by the worker, so nothing secret ever sits in Redis.
 */
export const QueueName = {
  import: 'image-import',
  export: 'image-export',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const taskJobPayload = z.object({ taskId: z.uuid() }).strict();
export type TaskJobPayload = z.infer<typeof taskJobPayload>;

export const queueForTaskType = { import: QueueName.import, export: QueueName.export } as const;

/**
 * The BullMQ jobId of a task's job. Deriving it from the task id makes enqueueing idempotent:
 * BullMQ ignores an add whose jobId already exists, so relay retries and the reconciler cannot double a task.
 * (BullMQ forbids ':' in custom ids, hence the dash.)
 */
export function jobIdForTask(taskId: string): string {
  return `task-${taskId}`;
}

/**
 * Options every task job is added with, by whoever adds it (outbox relay or reconciler).
 * Finished jobs are kept a day and at most 10,000 per queue (bounded by age AND count: Redis memory is
 * measured in docs/benchmarks.md). Postgres is the source of truth, so a re-add after removal is harmless:
 * its job finds the task terminal and does nothing.
 * Retries cover transient S3/Postgres/Redis faults; validation failures end the task without retrying.
 */
export const taskJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600, count: 10_000 },
} as const;
