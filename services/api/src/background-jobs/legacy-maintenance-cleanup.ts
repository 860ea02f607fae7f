import { createRedisConnection, type Logger } from '@cloud-images/shared';
import { Queue } from 'bullmq';

/**
 * Before issue #11 the reconciler, the purge and the image-store sweep were fired by BullMQ job schedulers on this
 * queue, upserted by every API at start-up. They now run on process timers (maintenance-timers.ts), but an
 * upgraded deployment's Redis still holds the old schedulers and their next jobs: an API replica of the previous
 * release, still running during a rolling update, would keep running stale code from them, and the keys
 * never go away by themselves. The names are those of the release that created them (git log -S
 * upsertJobScheduler).
 */
export const LEGACY_MAINTENANCE_QUEUE = 'maintenance';
export const LEGACY_MAINTENANCE_SCHEDULERS = [
  'reconcile-pending-tasks',
  'purge-expired-tasks',
  'sweep-image-store',
] as const;

const ATTEMPT_TIMEOUT_MS = 10_000;

export interface LegacyCleanup {
  /** Job schedulers that existed and were removed (0 on a fresh or already cleaned deployment). */
  schedulersRemoved: number;
}

/**
 * Removes the legacy job schedulers, then obliterates the obsolete maintenance queue (its waiting, delayed and
 * finished jobs, its repeat keys, its meta). Idempotent: on a clean Redis it removes nothing. Its own fail-fast
 * connection, closed before it returns, so a Redis outage fails the call instead of holding the API.
 */
export async function removeLegacyMaintenanceQueue(redisUrl: string, prefix: string): Promise<LegacyCleanup> {
  const connection = createRedisConnection(redisUrl, 'producer');
  const queue = new Queue(LEGACY_MAINTENANCE_QUEUE, { connection, prefix });
  queue.on('error', () => {}); // the caller sees the failure through the rejected call
  let timer: NodeJS.Timeout | undefined;
  // BullMQ waits for the connection to be ready, which with Redis down is forever: bound the attempt.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ATTEMPT_TIMEOUT_MS} ms`)), ATTEMPT_TIMEOUT_MS);
  });
  const cleanup = async () => {
    let schedulersRemoved = 0;
    for (const id of LEGACY_MAINTENANCE_SCHEDULERS) {
      if (await queue.removeJobScheduler(id)) schedulersRemoved += 1;
    }
    // force: a legacy job may still be "active" in Redis, held by a crashed pre-upgrade replica.
    await queue.obliterate({ force: true });
    return { schedulersRemoved };
  };
  try {
    return await Promise.race([cleanup(), timeout]);
  } finally {
    clearTimeout(timer);
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

/**
 * Runs the cleanup once at start-up, and again every `retryMs` until one attempt succeeds (Redis may be down
 * when the API starts; the API must start anyway). Returns a stop function for shutdown.
 */
export function startLegacyMaintenanceCleanup(
  options: { redisUrl: string; prefix: string; retryMs: number },
  logger: Logger,
): { done: Promise<void>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const attempt = async () => {
    if (stopped) return resolveDone();
    try {
      const result = await removeLegacyMaintenanceQueue(options.redisUrl, options.prefix);
      if (result.schedulersRemoved > 0)
        logger.info(result, 'removed the legacy BullMQ maintenance schedulers (now process timers)');
      resolveDone();
    } catch (error) {
      logger.warn({ err: error }, 'legacy maintenance queue cleanup failed (Redis down?); will retry');
      if (stopped) return resolveDone();
      timer = setTimeout(attempt, options.retryMs);
      timer.unref();
    }
  };
  void attempt();
  return {
    done,
    stop() {
      stopped = true;
      clearTimeout(timer);
      resolveDone();
    },
  };
}
