import { availableParallelism, hostname } from 'node:os';
import {
  availableCpus,
  databaseConfig,
  dispatchConfig,
  importLimitsConfig,
  loggingConfig,
  objectStoreConfig,
  redisConfig,
  requireTenantSecretKeys,
  taskTtlConfig,
  tenantLimitDefaultsConfig,
  tenantSecretKeyConfig,
} from '@cloud-images/shared';
import { z } from 'zod';

/** Read once: the CPUs the cgroup quota (or, without one, the OS) gives this process. */
const cpus = availableCpus();

const milliseconds = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The worker's one config schema. Only main.ts passes process.env to it. */
export const workerConfigSchema = z
  .object({
    /**
     * Jobs one process runs at once, per queue. Each running import/export holds about one S3 part in memory.
     * Default: the available CPUs (cgroup cpu.max, else os.availableParallelism()), at least 2.
     */
    WORKER_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(Math.min(64, Math.max(2, cpus))),
    /**
     * Threads hashing SHA-512 for all of this process's jobs (MD5 and the VHD checks run on the main thread).
     * Default: available CPUs - 1, at least 1, so hashing never oversubscribes the cores the process is given.
     * At most 4 chunks per thread are queued to them at once; a job whose chunk does not fit waits.
     */
    WORKER_HASH_THREADS: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(Math.max(1, cpus - 1)),
    /**
     * BullMQ job lock. The lock is renewed every half of this while the event loop runs, so a stream of
     * many minutes keeps it; a killed process loses it after this long and the job is retried as stalled.
     */
    JOB_LOCK_DURATION_MS: milliseconds(5_000, 60_000),
    /** How often each worker looks for jobs whose lock expired (a crashed worker's jobs). */
    JOB_STALLED_INTERVAL_MS: milliseconds(1_000, 30_000),
    /**
     * The machine this process shares CPUs with other worker processes: the dispatcher counts all workers with
     * one WORKER_HOST_ID for at most WORKER_HOST_SLOTS jobs together, so worker processes added to a host that is
     * already busy add no in-flight work. Default: the hostname (one per pod in Kubernetes; set it to the node
     * name there, and to one fixed value under docker compose, whose replicas share one machine).
     */
    WORKER_HOST_ID: z.string().min(1).max(253).default(hostname()),
    /**
     * Jobs all workers of one host run at once. Default: 2 per CPU of the host (the OS count, not this
     * process's cgroup quota), at least 2: enough for a second job to overlap one's waits on S3 and Postgres,
     * few enough that hashing never oversubscribes the cores.
     */
    WORKER_HOST_SLOTS: z.coerce
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(Math.max(2, 2 * availableParallelism())),
    /** On SIGTERM, how long a running job may take to finish before its stream is aborted and handed back. */
    SHUTDOWN_TIMEOUT_MS: milliseconds(0, 25_000),
    /** Minimum time between two progress writes of one task. */
    PROGRESS_INTERVAL_MS: milliseconds(100, 1_000),
    /** How often this process refreshes its worker_heartbeats row and the heartbeat_at of its running tasks. */
    WORKER_HEARTBEAT_INTERVAL_MS: milliseconds(200, 5_000),
    /** Per-job deadline = JOB_DEADLINE_BASE_MS + object bytes / JOB_DEADLINE_MIN_BYTES_PER_SECOND. */
    JOB_DEADLINE_BASE_MS: milliseconds(1_000, 5 * 60_000),
    /** The slowest transfer rate still considered alive; 1 MiB/s gives a 40 GiB import about 11 hours. */
    JOB_DEADLINE_MIN_BYTES_PER_SECOND: z.coerce
      .number()
      .int()
      .min(1)
      .default(1024 * 1024),
    /** The ops listener (/healthz, /readyz, /metrics); never exposed to tenants. */
    HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(9393),
    /** Every interface by default so kubelet probes and Prometheus reach the pod IP; the NetworkPolicy limits who. */
    HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  })
  .extend(databaseConfig.shape)
  .extend(redisConfig.shape)
  .extend(objectStoreConfig.shape)
  .extend(tenantSecretKeyConfig.shape)
  .extend(taskTtlConfig.shape)
  .extend(importLimitsConfig.shape)
  .extend(dispatchConfig.shape)
  .extend(tenantLimitDefaultsConfig.shape)
  .extend(loggingConfig.shape)
  .superRefine(requireTenantSecretKeys);

export type WorkerConfig = z.output<typeof workerConfigSchema>;
