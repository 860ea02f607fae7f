import { z } from 'zod';
import { type SecretKey, secretKey } from '../security/secret-box.js';
import { defaultObjectStoreTimeouts, type ObjectStoreTimeouts } from '../storage/timed-agent.js';

/**
 * Shared pieces of the per-service config schemas. Each service composes its own single schema from these,
 * so a variable means the same thing everywhere it appears.
 */

const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'must be a postgres:// or postgresql:// URL',
});
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const databaseConfig = z.object({
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
});

export const redisConfig = z.object({
  REDIS_URL: redisUrl,
  /** Prefix of every BullMQ key; lets several deployments or test files share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, _ or -')
    .default('cloud-images'),
});

const MIB = 1024 * 1024;

export const objectStoreConfig = z.object({
  /** Default S3 endpoint, used for the image store and for tenants that do not name their own. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  /** Multipart part size. Memory per stream is bounded by roughly one part, so this is the memory knob. */
  S3_PART_SIZE: z.coerce
    .number()
    .int()
    .min(5 * MIB, 'must be at least 5 MiB (the S3 minimum part size)')
    .max(512 * MIB)
    .default(16 * MIB),
  IMAGE_STORE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('cloud-images-store'),
  /** Connecting (TCP, and TLS for https) to S3. */
  S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(defaultObjectStoreTimeouts.connectMs),
  /** A connection with no traffic, in use or pooled; bounds a streamed body that stalls. */
  S3_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(1).default(defaultObjectStoreTimeouts.socketIdleMs),
  /** One S3 request (each multipart part too); for a streamed download, the wait for its response. */
  S3_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(defaultObjectStoreTimeouts.requestMs),
});

export type ObjectStoreConfig = z.output<typeof objectStoreConfig>;

/** The timeouts of an ObjectStore, from a config parsed with objectStoreConfig. */
export function objectStoreTimeouts(config: {
  S3_CONNECT_TIMEOUT_MS: number;
  S3_SOCKET_TIMEOUT_MS: number;
  S3_REQUEST_TIMEOUT_MS: number;
}): ObjectStoreTimeouts {
  return {
    connectMs: config.S3_CONNECT_TIMEOUT_MS,
    socketIdleMs: config.S3_SOCKET_TIMEOUT_MS,
    requestMs: config.S3_REQUEST_TIMEOUT_MS,
  };
}

const keyFormat = 'must be 32 bytes encoded as 64 hex characters or base64';

/**
 * The master keys that encrypt tenants' object-store secrets at rest (docs/security.md, "Master-key rotation").
 * TENANT_SECRET_KEYS is an ordered, comma-separated list, the current key first; each entry is `KEY` (its id is
 * the first 8 hex digits of its SHA-256) or `ID:KEY`. TENANT_SECRET_KEY (one key) is still accepted as a
 * one-key list; when both are set TENANT_SECRET_KEYS wins, so a deployment that always sets TENANT_SECRET_KEY
 * (compose) can rotate by adding TENANT_SECRET_KEYS. One of them is required: services add
 * `.superRefine(requireTenantSecretKeys)`.
 */
export const tenantSecretKeyConfig = z.object({
  TENANT_SECRET_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      // Empty is unset (parseConfig drops it; compose passes `${TENANT_SECRET_KEYS:-}`).
      const problem = value === undefined || value === '' ? undefined : secretKeysProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  TENANT_SECRET_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || decodeKey(value) !== undefined, { message: keyFormat }),
});

/** Object-level check of tenantSecretKeyConfig (a shape spread with `.extend` loses object refinements). */
export function requireTenantSecretKeys(
  config: { TENANT_SECRET_KEYS?: string | undefined; TENANT_SECRET_KEY?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.TENANT_SECRET_KEYS === undefined && config.TENANT_SECRET_KEY === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['TENANT_SECRET_KEYS'],
      message: 'is required but not set (or set TENANT_SECRET_KEY to a single key)',
    });
  }
}

/** The keyring from a config checked by requireTenantSecretKeys, current key first. */
export function tenantSecretKeys(config: {
  TENANT_SECRET_KEYS?: string | undefined;
  TENANT_SECRET_KEY?: string | undefined;
}): SecretKey[] {
  const value = config.TENANT_SECRET_KEYS || config.TENANT_SECRET_KEY;
  if (!value) throw new Error('no TENANT_SECRET_KEYS or TENANT_SECRET_KEY');
  return parseSecretKeys(value);
}

function parseSecretKeys(value: string): SecretKey[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      // Base64 and hex never contain ':', so the first ':' can only separate an explicit id.
      const colon = entry.indexOf(':');
      const id = colon >= 0 ? entry.slice(0, colon) : undefined;
      const key = decodeKey(colon >= 0 ? entry.slice(colon + 1) : entry);
      // The message never quotes the entry: it is a secret.
      if (!key) throw new Error(`the key of entry ${id ?? '(no id)'} ${keyFormat}`);
      return secretKey(key, id);
    });
}

function secretKeysProblem(value: string): string | undefined {
  let keys: SecretKey[];
  try {
    keys = parseSecretKeys(value);
  } catch (error) {
    return `entries are KEY or ID:KEY, comma-separated; ${(error as Error).message}`;
  }
  if (keys.length === 0) return 'names no key';
  const ids = keys.map((k) => k.id);
  const badId = ids.find((id) => !/^[A-Za-z0-9_-]{1,32}$/.test(id));
  if (badId !== undefined) return 'a key id must be 1-32 letters, digits, _ or -';
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) return `two keys have the id '${duplicate}'`;
  return undefined;
}

export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const fromBase64 = Buffer.from(value, 'base64');
  return fromBase64.length === 32 ? fromBase64 : undefined;
}

export const loggingConfig = z.object({ LOG_LEVEL: logLevel });

/** How long a finished task stays visible (Rackspace: 48 hours). */
export const taskTtlConfig = z.object({
  TASK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(48 * 3600),
});

/** The largest virtual disk accepted on import (code 413); 40 GiB inclusive by default. */
export const importLimitsConfig = z.object({
  MAX_VIRTUAL_SIZE_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(40 * 1024 ** 3),
});

/** Per-tenant limits used when a tenant row leaves its own column null (docs/fair-dispatch.md). */
export const tenantLimitDefaultsConfig = z.object({
  /** Tasks of one tenant handed to the workers at once (dispatched or processing). */
  TENANT_DEFAULT_MAX_ACTIVE_TASKS: z.coerce.number().int().min(1).default(2),
  /** Tasks of one tenant pending or processing; one more POST is answered 413. */
  TENANT_DEFAULT_MAX_PENDING_TASKS: z.coerce.number().int().min(1).default(100),
  /** Images a tenant holds, imports in flight included. */
  TENANT_DEFAULT_MAX_IMAGES: z.coerce.number().int().min(1).default(1000),
  /** Total bytes of a tenant's images, imports in flight included; 1 TiB. */
  TENANT_DEFAULT_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 ** 4),
});
export type TenantLimitDefaults = z.output<typeof tenantLimitDefaultsConfig>;

/** The fair dispatcher and the recovery sweeps that keep Postgres the source of truth (docs/fair-dispatch.md). */
export const dispatchConfig = z.object({
  /** How often the dispatcher runs besides its kicks (after a POST, after a job ends). */
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** A worker whose heartbeat row is older than this no longer counts towards capacity. */
  WORKER_HEARTBEAT_TTL_MS: z.coerce.number().int().min(1_000).default(15_000),
  /** A task processing with a heartbeat older than this has no live job: it is re-dispatched (or failed). */
  TASK_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often the recovery sweeps (re-publish unclaimed jobs, stale heartbeats) run. */
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(200).default(5_000),
});
export type DispatchConfig = z.output<typeof dispatchConfig>;
