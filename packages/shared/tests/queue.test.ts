import { uniqueName } from '@cloud-images/test-stack';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jobIdForTask, QueueName, type TaskJobPayload, taskJobPayload } from '../src/queue/catalog.js';
import { createRedisConnection } from '../src/queue/redis-connection.js';

const stack = inject('stack');
const prefix = uniqueName('q');
const producer = createRedisConnection(stack.redis.url, 'producer');
const consumer = createRedisConnection(stack.redis.url, 'worker');
const eventsConnection = createRedisConnection(stack.redis.url, 'worker');
const queue = new Queue<TaskJobPayload>(QueueName.import, { connection: producer, prefix });
const events = new QueueEvents(QueueName.import, { connection: eventsConnection, prefix });
const seen: TaskJobPayload[] = [];
const worker = new Worker<TaskJobPayload, string>(
  QueueName.import,
  async (job) => {
    const payload = taskJobPayload.parse(job.data);
    seen.push(payload);
    return `done:${payload.taskId}`;
  },
  { connection: consumer, prefix },
);

afterAll(async () => {
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const c of [producer, consumer, eventsConnection]) c.disconnect();
});

describe('BullMQ on the test Redis', () => {
  it('runs a job round trip and dedupes by the task-derived job id', async () => {
    await events.waitUntilReady();
    const taskId = crypto.randomUUID();
    const job = await queue.add('import', { taskId }, { jobId: jobIdForTask(taskId) });
    const again = await queue.add('import', { taskId }, { jobId: jobIdForTask(taskId) });
    expect(again.id).toBe(job.id);
    await expect(job.waitUntilFinished(events, 30_000)).resolves.toBe(`done:${taskId}`);
    expect(seen).toEqual([{ taskId }]);
    const keys = await producer.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
