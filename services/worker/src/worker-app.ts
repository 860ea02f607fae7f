import {
  createDatabase,
  createObjectStoreFactory,
  type DbExecutor,
  DispatcherRunner,
  ensureImageStoreBucket,
  type Logger,
  objectStoreTimeouts,
  openImageStore,
  QueueName,
  SecretBox,
  TaskOutcomeWriter,
  tenantSecretKeys,
} from '@cloud-images/shared';
import { configureSharedHashPool } from '@cloud-images/vhd';
import { sql } from 'drizzle-orm';
import type { WorkerConfig } from './config.js';
import { exportImageToContainer } from './export/export-image-to-container.js';
import { ImageRepository } from './images/image-repository.js';
import { discardImportLeftovers, importImageFromContainer } from './import/import-image-from-container.js';
import { WorkerMetrics } from './metrics.js';
import { createTaskJobProcessor } from './processors/task-job-processor.js';
import { TenantObjectStores } from './storage/tenant-object-store.js';
import { TaskStateStore } from './tasks/task-state-store.js';
import { WorkerHeartbeat } from './tasks/worker-heartbeat.js';
import { WorkerManager } from './worker-manager.js';

export interface WorkerApp {
  workers: WorkerManager;
  metrics: WorkerMetrics;
  isReady(): Promise<boolean>;
  /** Graceful: finishes or hands back running jobs (see WorkerManager.close), then closes Postgres. Idempotent. */
  stop(): Promise<void>;
}

/** Composition root: builds every adapter and use case from the config and starts consuming. */
export async function startWorkerApp(
  config: WorkerConfig,
  logger: Logger,
  options: { defaultMetrics?: boolean } = {},
): Promise<WorkerApp> {
  // One hashing pool for every job of this process, sized to the CPUs its cgroup allows.
  configureSharedHashPool({ threads: config.WORKER_HASH_THREADS });
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    applicationName: 'cloud-images-worker',
  });
  const { db } = database;
  const tasks = new TaskStateStore(db);
  const outcomes = new TaskOutcomeWriter(db, config.TASK_TTL_SECONDS);
  const images = new ImageRepository(db);
  const openObjectStore = createObjectStoreFactory(objectStoreTimeouts(config));
  const imageStore = openImageStore(config);
  await ensureImageStoreBucket(imageStore, config.S3_REGION);
  const tenantStores = new TenantObjectStores(db, new SecretBox(tenantSecretKeys(config)), {
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    openObjectStore,
  });
  const metrics = new WorkerMetrics(options);
  const importDeps = {
    images,
    outcomes,
    tenantStores,
    imageStore,
    maxVirtualSize: config.MAX_VIRTUAL_SIZE_BYTES,
    defaultMaxImageBytes: config.TENANT_DEFAULT_MAX_IMAGE_BYTES,
    inTransaction: <T>(work: (tx: DbExecutor) => Promise<T>) => db.transaction((tx) => work(tx)),
    logger,
  };
  const heartbeat = new WorkerHeartbeat(
    db,
    config.WORKER_CONCURRENCY,
    { hostId: config.WORKER_HOST_ID, hostSlots: config.WORKER_HOST_SLOTS },
    config.WORKER_HEARTBEAT_INTERVAL_MS,
    logger,
  );
  // The worker dispatches too, right after a job ends, so a freed slot is refilled without waiting for the API's
  // tick; the dispatcher's NOTIFY then wakes the API's relay. The advisory lock keeps one dispatcher at a time.
  const dispatcher = new DispatcherRunner({
    db,
    logger,
    defaultMaxActive: config.TENANT_DEFAULT_MAX_ACTIVE_TASKS,
    heartbeatTtlMs: config.WORKER_HEARTBEAT_TTL_MS,
    intervalMs: config.DISPATCH_INTERVAL_MS,
  });
  const processorBase = {
    tasks,
    outcomes,
    metrics,
    logger,
    progressIntervalMs: config.PROGRESS_INTERVAL_MS,
    heartbeat,
    deadline: {
      baseMs: config.JOB_DEADLINE_BASE_MS,
      minBytesPerSecond: config.JOB_DEADLINE_MIN_BYTES_PER_SECOND,
    },
    onJobEnded: () => dispatcher.kick(),
  };
  const workers = new WorkerManager({
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.JOB_LOCK_DURATION_MS,
    stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    outcomes,
    logger,
    processors: {
      [QueueName.import]: createTaskJobProcessor({
        ...processorBase,
        queue: QueueName.import,
        taskType: 'import',
        runUseCase: (run) => importImageFromContainer(importDeps, run),
        discardLeftovers: (taskId) => discardImportLeftovers(importDeps, taskId),
      }),
      [QueueName.export]: createTaskJobProcessor({
        ...processorBase,
        queue: QueueName.export,
        taskType: 'export',
        runUseCase: (run) =>
          exportImageToContainer({ images, outcomes, tenantStores, imageStore, logger }, run),
      }),
    },
  });
  workers.start();
  heartbeat.start();
  dispatcher.start();

  let stopped: Promise<void> | undefined;
  return {
    workers,
    metrics,
    async isReady() {
      if (!workers.isReady()) return false;
      await db.execute(sql`select 1`);
      return true;
    },
    stop() {
      stopped ??= (async () => {
        await dispatcher.stop();
        heartbeat.draining();
        await workers.close();
        await heartbeat.stop();
        await database.close();
      })();
      return stopped;
    },
  };
}
