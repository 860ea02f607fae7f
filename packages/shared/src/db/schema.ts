import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const tokenRole = pgEnum('token_role', ['admin', 'creator', 'observer']);
export const taskType = pgEnum('task_type', ['import', 'export']);
export const taskStatus = pgEnum('task_status', ['pending', 'processing', 'success', 'failure']);
export const imageStatus = pgEnum('image_status', ['queued', 'saving', 'active', 'killed', 'deleted']);

/**
 * A tenant and its object-store binding. The tenant's containers live in ITS OWN account, reached with
 * its own credentials; container `c` is the bucket `${bucketPrefix}${c}`.
 */
export const tenants = pgTable('tenants', {
  /** The owner id shown in task and image resources (e.g. "00000123"). */
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** Null means the deployment's default S3 endpoint. */
  s3Endpoint: text('s3_endpoint'),
  s3AccessKey: text('s3_access_key').notNull(),
  /** AES-256-GCM ciphertext (see security/secret-box.ts); the plaintext never touches the database. */
  s3SecretKeyEncrypted: text('s3_secret_key_encrypted').notNull(),
  bucketPrefix: text('bucket_prefix').notNull().default(''),
  /** Per-tenant limits; null means the deployment default (TENANT_DEFAULT_MAX_* in the config). */
  maxActiveTasks: integer('max_active_tasks'),
  maxPendingTasks: integer('max_pending_tasks'),
  maxImages: integer('max_images'),
  maxImageBytes: bigint('max_image_bytes', { mode: 'number' }),
  /** When the dispatcher last handed one of this tenant's tasks to the queue: the round-robin cursor. */
  lastDispatchedAt: timestamp('last_dispatched_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token. The token itself is shown once at creation and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    role: tokenRole('role').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** After this instant the token is refused like an unknown one; null means it never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** When the API last accepted it, written at most once a minute per token (never on every request). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('api_tokens_tenant_idx').on(t.tenantId)],
);

export interface TaskProgress {
  stage: string;
  bytesDone: number;
  bytesTotal: number | null;
  percent: number | null;
  updatedAt: string;
}

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    type: taskType('type').notNull(),
    status: taskStatus('status').notNull().default('pending'),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** Null renders as the string "None", as the Rackspace API does. */
    message: text('message'),
    progress: jsonb('progress').$type<TaskProgress>(),
    /** Incremented each time a worker claims the task; lets operators see retries after crashes. */
    attempts: integer('attempts').notNull().default(0),
    /** Detail of the last failure for operators; never shown to clients (message is). */
    lastError: text('last_error'),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the canonical request body, to tell a replay from a conflicting reuse of the key. */
    requestHash: text('request_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** Set when the fair dispatcher hands the task to the queue; null = waiting in Postgres (status pending). */
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    /** Refreshed by the worker every few seconds while a job runs: liveness, independent of progress. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    index('tasks_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('tasks_status_updated_idx').on(t.status, t.updatedAt),
    index('tasks_expires_idx').on(t.expiresAt),
    index('tasks_undispatched_idx')
      .on(t.tenantId, t.createdAt)
      .where(sql`${t.status} = 'pending' and ${t.dispatchedAt} is null`),
    // The dispatcher counts the tasks holding a worker slot every round: bounded by the workers' capacity,
    // not by the backlog of undispatched tasks.
    index('tasks_holding_slot_idx')
      .on(t.tenantId)
      .where(sql`${t.status} = 'processing' or (${t.status} = 'pending' and ${t.dispatchedAt} is not null)`),
    uniqueIndex('tasks_tenant_idempotency_key_idx')
      .on(t.tenantId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const images = pgTable(
  'images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The import task that created the image. Unique: a retried import can never make a second image. */
    sourceTaskId: uuid('source_task_id').unique(),
    name: text('name'),
    status: imageStatus('status').notNull().default('queued'),
    /** Glance since Ocata: an image is `shared` (owner and members) unless its owner makes it `private`. */
    visibility: text('visibility').notNull().default('shared'),
    size: bigint('size', { mode: 'number' }),
    virtualSize: bigint('virtual_size', { mode: 'number' }),
    checksum: text('checksum'),
    osHashAlgo: text('os_hash_algo'),
    osHashValue: text('os_hash_value'),
    diskFormat: text('disk_format').notNull().default('vhd'),
    containerFormat: text('container_format').notNull().default('bare'),
    minDisk: integer('min_disk').notNull().default(0),
    minRam: integer('min_ram').notNull().default(0),
    /** Blocks DELETE (403) while true. */
    protected: boolean('protected').notNull().default(false),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** Glance's custom ("extra") properties: string values only. */
    properties: jsonb('properties').$type<Record<string, string>>().notNull().default({}),
    /** Key of the object in the image-store bucket. */
    storageKey: text('storage_key'),
    /** VHD facts the export needs without re-reading the image: disk type and the 2 MiB allocation bitmap. */
    vhdType: text('vhd_type'),
    allocationMap: text('allocation_map'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('images_tenant_created_idx').on(t.tenantId, t.createdAt, t.id)],
);

export const memberStatus = pgEnum('member_status', ['pending', 'accepted', 'rejected']);

/** A tenant an image is shared with, and whether that tenant accepted it (Glance image members). */
export const imageMembers = pgTable(
  'image_members',
  {
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    /** A tenant id; not a foreign key, as in Glance: sharing never reveals which tenants exist. */
    memberId: text('member_id').notNull(),
    status: memberStatus('status').notNull().default('pending'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.imageId, t.memberId] }), index('image_members_member_idx').on(t.memberId)],
);

/**
 * Transactional outbox: written in the same transaction as the task row, relayed to BullMQ afterwards.
 * A task therefore reaches the queue even if Redis was down when it was created.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    queue: text('queue').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_unpublished_idx').on(t.createdAt).where(sql`${t.publishedAt} is null`)],
);

/**
 * What admission compares with a tenant's limits, kept by triggers on `tasks` and `images` (migration 0004) in
 * the same transaction as the rows they count, so it cannot drift from them: `unfinished_tasks` = tasks pending
 * or processing; `images_held` = images queued, saving or active, plus imports unfinished that have no image row
 * yet. A tenant's figure is the sum over its rows: each change goes to one of 8 shards (an admitted insert to its
 * admission slot's, any other change by the row's id), so
 * concurrent admissions and task transitions of one tenant rarely wait for each other on one row. Admission
 * reads 8 rows instead of counting a backlog that may hold thousands of tasks. See docs/fair-dispatch.md.
 */
export const tenantUsage = pgTable(
  'tenant_usage',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    shard: smallint('shard').notNull(),
    unfinishedTasks: integer('unfinished_tasks').notNull().default(0),
    imagesHeld: integer('images_held').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.shard] })],
);

/**
 * One row per running worker process, refreshed every few seconds. The dispatcher's capacity is the sum of
 * `concurrency` over the rows seen within a TTL, so it never enqueues more jobs than there are free slots.
 * Rows that share a `host_id` share that host's CPUs: together they count for at most `host_slots` (the least
 * any of them reports), so a fifth worker process on a 2-core host adds no in-flight work. Rows written before
 * migration 0005 (null host) each count as their own host.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  concurrency: integer('concurrency').notNull(),
  hostId: text('host_id'),
  hostSlots: integer('host_slots'),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Who changed what, for every admin mutation (tenant create/update, token create/revoke/rotate, limit changes,
 * credential rotation, reseal). `changed_fields` names the fields, never their values, so no secret can land here.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    /** `--actor`, or the OS user who ran the admin CLI. */
    actor: text('actor').notNull(),
    /** e.g. `tenant.create`, `token.revoke`. */
    action: text('action').notNull(),
    /** What was changed: a tenant id, a token id, or `*` for deployment-wide actions such as reseal. */
    target: text('target').notNull(),
    /** The tenant concerned, when there is one, so `audit list --tenant` needs no join. */
    tenantId: text('tenant_id'),
    changedFields: text('changed_fields').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    index('audit_events_occurred_idx').on(t.occurredAt),
    index('audit_events_tenant_idx').on(t.tenantId),
  ],
);

export type TenantRow = typeof tenants.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ImageRow = typeof images.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type ImageMemberRow = typeof imageMembers.$inferSelect;
export type MemberStatus = (typeof memberStatus.enumValues)[number];
export type TokenRole = (typeof tokenRole.enumValues)[number];
export type TaskType = (typeof taskType.enumValues)[number];
export type TaskStatus = (typeof taskStatus.enumValues)[number];
export type ImageStatus = (typeof imageStatus.enumValues)[number];
