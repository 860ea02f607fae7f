import {
  databaseConfig,
  dispatchConfig,
  loggingConfig,
  objectStoreConfig,
  redisConfig,
  taskTtlConfig,
  tenantLimitDefaultsConfig,
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
    // Empty means unset (compose passes `${QUEUE_UI_PASSWORD:-}`): the queue UI is then off.
    QUEUE_UI_PASSWORD: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.string().min(16).optional(),
    ),
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
    /** A task dispatched but not claimed for this long has its job re-ensured (Redis may have lost it). */
    PENDING_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(30),
    /** How often the expired-task purge runs (a process timer, not a Redis schedule). */
    MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
    /** Per-token request rate limit, shared by the replicas through Redis: this many requests … */
    RATE_LIMIT_POINTS: z.coerce.number().int().min(1).default(200),
    /** … per this many seconds. Over it → 413 Over Limit with Retry-After. Redis down → not enforced. */
    RATE_LIMIT_DURATION_SECONDS: z.coerce.number().int().min(1).default(10),
    /**
     * Honour X-Forwarded-Proto/-Host when building absolute links (version discovery). Turn on only behind a
     * proxy that sets them; otherwise clients could inject the hrefs.
     */
    TRUST_FORWARDED_HEADERS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    /**
     * The image-store sweep (every MAINTENANCE_INTERVAL_MS) removes objects no live image row claims once they are
     * older than this grace age, so it never races an import that is about to record its object.
     */
    ORPHAN_SWEEP_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(6 * 3600),
    /** Multipart uploads older than this are abandoned imports: the sweep aborts them. */
    STALE_UPLOAD_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(24 * 3600),
    /**
     * How long the API reuses a token lookup (ms). A revoked token keeps working for at most this long; an
     * expired one never does (expires_at is checked on every request). 0 looks every request up in Postgres.
     */
    TOKEN_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    /** How long graceful shutdown waits for in-flight requests before closing connections. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  })
  .extend(databaseConfig.shape)
  .extend(redisConfig.shape)
  .extend(objectStoreConfig.shape)
  .extend(taskTtlConfig.shape)
  .extend(dispatchConfig.shape)
  .extend(tenantLimitDefaultsConfig.shape)
  .extend(loggingConfig.shape);

export type ApiConfig = z.output<typeof apiConfigSchema>;
