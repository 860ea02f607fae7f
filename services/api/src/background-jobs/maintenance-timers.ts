import {
  type Database,
  DispatcherRunner,
  type ImageStore,
  type Logger,
  PeriodicRunner,
  recoverStaleTasks,
  type TaskOutcomeWriter,
} from '@cloud-images/shared';
import type { ApiConfig } from '../config.js';
import type { ApiMetrics } from '../operations/metrics.js';
import { purgeExpiredTasks } from './expired-task-purge.js';
import { sweepImageStoreAndCount } from './image-store-sweep.js';
import { type EnsureTaskJob, reconcilePendingTasks } from './pending-task-reconciler.js';

export interface MaintenanceDeps {
  db: Database;
  outcomes: TaskOutcomeWriter;
  ensureTaskJob: EnsureTaskJob;
  /** The outbox relay's kick: a dispatch round that wrote outbox rows publishes them at once. */
  kickRelay: () => void;
  imageStore: ImageStore;
  metrics: ApiMetrics;
  logger: Logger;
}

/**
 * The API's process timers (never BullMQ job schedulers, which vanish when Redis comes back empty):
 * - the fair dispatcher, on its short interval and on kicks (after a POST commits);
 * - recovery: tasks processing without a heartbeat go back to the dispatcher (or fail when out of attempts),
 *   and dispatched-but-unclaimed tasks get their job re-ensured (same jobId: a no-op if it still exists);
 * - the purge of expired tasks, and the image-store sweep (objects no live image row claims, stale uploads).
 * Every replica runs them; the dispatcher's advisory lock and the compare-and-set writes make that safe.
 */
export function startMaintenanceTimers(config: ApiConfig, deps: MaintenanceDeps) {
  const { db, logger } = deps;
  const dispatcher = new DispatcherRunner({
    db,
    logger,
    defaultMaxActive: config.TENANT_DEFAULT_MAX_ACTIVE_TASKS,
    heartbeatTtlMs: config.WORKER_HEARTBEAT_TTL_MS,
    intervalMs: config.DISPATCH_INTERVAL_MS,
    onRound: (round) => {
      if (round.dispatched.length > 0) deps.kickRelay();
    },
  });
  const recovery = new PeriodicRunner(async () => {
    try {
      const stale = await recoverStaleTasks(db, deps.outcomes, {
        heartbeatTimeoutMs: config.TASK_HEARTBEAT_TIMEOUT_MS,
      });
      if (stale.requeued.length + stale.failed.length > 0) {
        logger.warn(stale, 'recovery: tasks without a live worker');
        dispatcher.kick();
      }
    } catch (error) {
      logger.warn({ err: error }, 'recovery: stale-task sweep failed; will retry');
    }
    try {
      await reconcilePendingTasks(db, deps.ensureTaskJob, config.PENDING_RECONCILE_AFTER_SECONDS);
    } catch (error) {
      logger.debug({ err: error }, 'recovery: re-ensuring unclaimed jobs failed (Redis down?); will retry');
    }
  }, config.RECOVERY_INTERVAL_MS);
  const purge = new PeriodicRunner(async () => {
    try {
      await purgeExpiredTasks(db, new Date());
    } catch (error) {
      logger.warn({ err: error }, 'purge of expired tasks failed; will retry');
    }
  }, config.MAINTENANCE_INTERVAL_MS);
  const sweep = new PeriodicRunner(async () => {
    try {
      const swept = await sweepImageStoreAndCount(db, deps.imageStore, deps.metrics, {
        graceSeconds: config.ORPHAN_SWEEP_GRACE_SECONDS,
        uploadMaxAgeSeconds: config.STALE_UPLOAD_MAX_AGE_SECONDS,
        now: new Date(),
      });
      if (swept.objectsRemoved + swept.uploadsAborted > 0) logger.info(swept, 'image store swept');
    } catch (error) {
      logger.warn({ err: error }, 'image-store sweep failed; will retry');
    }
  }, config.MAINTENANCE_INTERVAL_MS);
  for (const runner of [dispatcher, recovery, purge, sweep]) runner.start();
  dispatcher.kick();
  recovery.kick();
  return {
    dispatcher,
    async stop(): Promise<void> {
      await Promise.all([dispatcher.stop(), recovery.stop(), purge.stop(), sweep.stop()]);
    },
  };
}

export type MaintenanceTimers = ReturnType<typeof startMaintenanceTimers>;
