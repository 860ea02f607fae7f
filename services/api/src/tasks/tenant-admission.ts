import { type DbExecutor, type TaskType, type TenantLimitDefaults, tenants } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { OverLimitError } from '../domain-errors.js';

/** Seconds a client is told to wait before retrying a POST refused for a tenant limit: tasks take that long. */
export const ADMISSION_RETRY_AFTER_SECONDS = 30;

/**
 * Serialises this tenant's admissions with a transaction-scoped advisory lock keyed by the tenant, then refuses
 * the new task if it would pass max_pending_tasks or, for an import, max_images (images held plus imports in
 * flight). Counts come from rows, never from counters. Must run inside the insert's transaction, before the insert.
 * Why not a row lock on `tenants`: the dispatcher updates the tenant row (last_dispatched_at) inside its round,
 * which may last a while under a big backlog; a row lock would make every POST of that tenant wait for the round.
 */
export async function admitTask(
  tx: DbExecutor,
  tenantId: string,
  type: TaskType,
  defaults: TenantLimitDefaults,
): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext('cloud-images:admission'), hashtext(${tenantId}))`,
  );
  const [tenant] = await tx
    .select({ maxPending: tenants.maxPendingTasks, maxImages: tenants.maxImages })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  if (!tenant) return; // the FK rejects the insert
  const maxPending = tenant.maxPending ?? defaults.TENANT_DEFAULT_MAX_PENDING_TASKS;
  const pending = await countOne(
    tx,
    sql`select count(*)::int as n from tasks
        where tenant_id = ${tenantId} and status in ('pending', 'processing')`,
  );
  if (pending >= maxPending) {
    throw new OverLimitError('max_pending_tasks', maxPending, pending, ADMISSION_RETRY_AFTER_SECONDS);
  }
  if (type !== 'import') return;
  const maxImages = tenant.maxImages ?? defaults.TENANT_DEFAULT_MAX_IMAGES;
  const images = await countImagesHeld(tx, tenantId);
  if (images >= maxImages) {
    throw new OverLimitError('max_images', maxImages, images, ADMISSION_RETRY_AFTER_SECONDS);
  }
}

/** Images not deleted or killed, plus imports in flight that have not made their image row yet. */
export async function countImagesHeld(db: DbExecutor, tenantId: string): Promise<number> {
  return countOne(
    db,
    sql`select
          (select count(*) from images
            where tenant_id = ${tenantId} and status in ('queued', 'saving', 'active'))
        + (select count(*) from tasks t
            where t.tenant_id = ${tenantId} and t.type = 'import' and t.status in ('pending', 'processing')
              and not exists (select 1 from images i where i.source_task_id = t.id)) as n`,
  );
}

async function countOne(db: DbExecutor, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = (await db.execute(query)).rows as { n: number | string }[];
  return Number(row?.n ?? 0);
}
