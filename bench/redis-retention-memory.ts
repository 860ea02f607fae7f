/**
 * Redis used_memory per 10,000 finished task jobs, with the production job options (taskJobOptions):
 * a private redis-server, N jobs added with task-derived ids and completed by a no-op BullMQ worker; then
 * used_memory is read before and after. Usage: pnpm --filter @cloud-images/bench bench:redis-retention-memory [N]
 */
import { randomUUID } from 'node:crypto';
import { jobIdForTask, QueueName, taskJobOptions } from '@cloud-images/shared';
import { startRedis } from '@cloud-images/test-stack';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const total = Number(process.argv[2] ?? 10_000);
const redis = await startRedis();
const client = new Redis(redis.url);
const usedMemory = async () => Number((await client.info('memory')).match(/^used_memory:(\d+)/m)?.[1]);
try {
  const connection = { url: redis.url };
  const queue = new Queue(QueueName.import, { connection, prefix: 'bench' });
  await queue.waitUntilReady();
  const before = await usedMemory();
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(
      QueueName.import,
      async () => {
        done += 1;
        if (done === total) setTimeout(() => void worker.close().then(resolve), 200);
      },
      { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: 'bench', concurrency: 50 },
    );
  });
  for (let i = 0; i < total; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, total - i) }, () => {
        const taskId = randomUUID();
        return { name: 'import', data: { taskId }, opts: { ...taskJobOptions, jobId: jobIdForTask(taskId) } };
      }),
    );
  }
  await finished;
  const after = await usedMemory();
  const counts = await queue.getJobCounts('completed', 'wait', 'active');
  const perTenThousand = ((after - before) / total) * 10_000;
  console.log(
    JSON.stringify({
      jobs: total,
      retained: counts,
      used_memory_before: before,
      used_memory_after: after,
      bytes_per_job: Math.round((after - before) / total),
      mib_per_10000_finished: Number((perTenThousand / 1024 / 1024).toFixed(2)),
      removeOnComplete: taskJobOptions.removeOnComplete,
    }),
  );
  await queue.close();
} finally {
  client.disconnect();
  await redis.destroy();
}
