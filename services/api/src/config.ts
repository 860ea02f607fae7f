import {
  databaseConfig,
  loggingConfig,
  objectStoreConfig,
  redisConfig,
  taskTtlConfig,
} from '@cloud-images/shared';
import { z } from 'zod';

/**
 * The API server's whole configuration: one schema, parsed once by the entry point.
 * No TENANT_SECRET_KEY: the server never opens tenants' sealed S3 secrets (the worker does, and the admin CLI
 * seals them with its own schema, admin/admin-config.ts), so a compromised API pod cannot read them.
 */
export const apiConfigSchema = z
  .object({
    /** 9292 is Glance's port, so OpenStack tooling finds the service where it expects it. */
    PORT: z.coerce.number().int().min(0).max(65535).default(9292),
    HOST: z.string().min(1).default('0.0.0.0'),
    /**
     * The ops listener: /healthz, /readyz, /metrics and the queue UI, never on the tenant port. Every interface by
     * default so kubelet probes and Prometheus reach it at the pod IP; the NetworkPolicy limits who else can.
     */
    OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9191),
    OPS_HOST: z.string().min(1).default('0.0.0.0'),
    /** Basic-auth user of the queue UI (bull-board) on the ops listener. */
    QUEUE_UI_USER: z.string().min(1).default('operator'),
    /** The queue UI's operator password, from a Secret. Unset: the UI is off (404). */
    QUEUE_UI_PASSWORD: z.string().min(16).optional(),
    /**
     * Whether THIS process exports the task-table gauges (cloud_images_queue_depth, stuck processing). It is a count over the whole
     * database, so exactly one process per deployment should export it, or sum() over replicas counts it N times.
     */
    EXPORT_TASK_GAUGES: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Task bodies are tiny; anything bigger is a mistake or an attack. */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /** A pending task untouched for this long is re-enqueued by the reconciler. */
    PENDING_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
    /** How often the maintenance schedulers (reconcile, purge) fire. */
    MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
    /** How long graceful shutdown waits for in-flight requests before closing connections. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  })
  .extend(databaseConfig.shape)
  .extend(redisConfig.shape)
  .extend(objectStoreConfig.shape)
  .extend(taskTtlConfig.shape)
  .extend(loggingConfig.shape);

export type ApiConfig = z.output<typeof apiConfigSchema>;
