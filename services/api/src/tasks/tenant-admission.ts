import type { DbExecutor, TaskType, TenantLimitDefaults } from '@cloud-images/shared';
import { sql } from 'drizzle-orm';
import { OverLimitError } from '../domain-errors.js';

/** Seconds a client is told to wait before retrying a POST refused for a tenant limit: tasks take that long. */
export const ADMISSION_RETRY_AFTER_SECONDS = 30;

/**
 * How many of one tenant's admissions may run at once while the tenant is far from its limits. Each holds one
 * of this many slot locks, so at most this many admitted-but-uncommitted tasks are invisible to any count.
 */
export const ADMISSION_SLOTS = 8;

/** How the admission transaction is locked; see admitTask. */
export type AdmissionMode = 'shared' | 'exclusive';

/**
 * Thrown by a shared-mode admission that finds the tenant within ADMISSION_SLOTS of a limit: its transaction
 * must roll back (releasing its locks) and run again in exclusive mode, which counts exactly.
 */
export class ExclusiveAdmissionNeeded extends Error {
  constructor() {
    super('the tenant is near a limit: admit under the exclusive lock');
  }
}

/**
 * Refuses the new task if it would pass max_pending_tasks or, for an import, max_images (images held plus imports
 * in flight). The usage comes from tenant_usage, kept by triggers in the same transactions as the rows, so it is
 * exactly the row counts as of the statement's snapshot. Must run inside the insert's transaction, before the
 * insert. Why not a row lock on `tenants`: the dispatcher updates the tenant row inside its round.
 *
 * The limits stay exact without serialising every POST of a tenant (which capped one tenant at a few hundred
 * POSTs a second, one lock holder at a time):
 * - `shared`: the tenant's admission lock in shared mode plus one of ADMISSION_SLOTS slot locks. A count then
 *   misses at most ADMISSION_SLOTS − 1 concurrent admissions (each holds a slot until it commits), so admitting
 *   only while `count + ADMISSION_SLOTS ≤ limit` can never overshoot. Nearer the limit it throws
 *   ExclusiveAdmissionNeeded, before it has written anything.
 * - `exclusive`: the lock in exclusive mode waits for every shared holder to commit, so its count is exact.
 * The usage is read after the locks are granted, with a snapshot that includes everything committed before them.
 */
export async function admitTask(
  tx: DbExecutor,
  tenantId: string,
  type: TaskType,
  defaults: TenantLimitDefaults,
  mode: AdmissionMode,
): Promise<void> {
  const usage = await lockAndReadUsage(tx, tenantId, mode);
  if (!usage) return; // the FK rejects the insert
  const margin = mode === 'shared' ? ADMISSION_SLOTS : 1;
  const maxPending = usage.maxPending ?? defaults.TENANT_DEFAULT_MAX_PENDING_TASKS;
  const maxImages = usage.maxImages ?? defaults.TENANT_DEFAULT_MAX_IMAGES;
  const pendingFull = usage.pending + margin > maxPending;
  const imagesFull = type === 'import' && usage.images + margin > maxImages;
  if ((pendingFull || imagesFull) && mode === 'shared') throw new ExclusiveAdmissionNeeded();
  if (pendingFull) {
    throw new OverLimitError('max_pending_tasks', maxPending, usage.pending, ADMISSION_RETRY_AFTER_SECONDS);
  }
  if (imagesFull) {
    throw new OverLimitError('max_images', maxImages, usage.images, ADMISSION_RETRY_AFTER_SECONDS);
  }
}

interface TenantUsage {
  maxPending: number | null;
  maxImages: number | null;
  pending: number;
  images: number;
}

/**
 * Takes the admission locks of `mode` and reads the tenant's limits and usage after them, in one round trip
 * (the SQL function `cloud_images_admission_usage`, migration 0004). Usage comes from tenant_usage, which
 * triggers keep in step with the task and image rows in their own transactions, so this reads at most 8 rows
 * however large the tenant's backlog is.
 */
async function lockAndReadUsage(
  tx: DbExecutor,
  tenantId: string,
  mode: AdmissionMode,
): Promise<TenantUsage | undefined> {
  const { rows } = await tx.execute(
    sql`select max_pending as "maxPending", max_images as "maxImages", pending, images
        from cloud_images_admission_usage(${tenantId}, ${mode === 'exclusive'}, ${ADMISSION_SLOTS}::int)`,
  );
  // Every column is an int4, which pg returns as a number (null for a limit left to the default).
  return rows[0] as TenantUsage | undefined;
}
