import { type DbExecutor, type TenantLimitDefaults, tenants } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { AdminError } from './admin-commands.js';

export interface TenantLimitsUpdate {
  maxActiveTasks?: number;
  maxPendingTasks?: number;
  maxImages?: number;
  maxImageBytes?: number;
}

const limitColumns: Record<keyof TenantLimitsUpdate, string> = {
  maxActiveTasks: 'max_active_tasks',
  maxPendingTasks: 'max_pending_tasks',
  maxImages: 'max_images',
  maxImageBytes: 'max_image_bytes',
};

/** The column names an update sets, for the audit trail. */
export function changedLimitColumns(update: TenantLimitsUpdate): string[] {
  return (Object.keys(limitColumns) as (keyof TenantLimitsUpdate)[])
    .filter((key) => update[key] !== undefined)
    .map((key) => limitColumns[key]);
}

/** A non-negative integer flag value; the CLI's flags are strings. */
export function parseLimit(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new AdminError(`--${flag} must be a positive integer, got '${value}'`);
  }
  return Number(value);
}

/** Sets the given limits on a tenant (others keep their value; null columns mean the deployment default). */
export async function updateTenantLimits(
  db: DbExecutor,
  tenantId: string,
  update: TenantLimitsUpdate,
  defaults: TenantLimitDefaults,
) {
  const set = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) {
    throw new AdminError(
      'nothing to update: pass --max-active, --max-pending, --max-images or --max-image-bytes',
    );
  }
  const [row] = await db
    .update(tenants)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(tenants.id, tenantId))
    .returning({ id: tenants.id });
  if (!row) throw new AdminError(`no tenant with id '${tenantId}'`);
  return showTenant(db, tenantId, defaults);
}

/** A tenant's effective limits (own value or default, and which) and its current usage, counted from rows. */
export async function showTenant(db: DbExecutor, tenantId: string, defaults: TenantLimitDefaults) {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new AdminError(`no tenant with id '${tenantId}'`);
  const [usage] = (
    await db.execute(sql`
      select
        (select count(*) from tasks where tenant_id = ${tenantId}
          and (status = 'processing' or (status = 'pending' and dispatched_at is not null)))::int as active_tasks,
        (select count(*) from tasks where tenant_id = ${tenantId}
          and status in ('pending', 'processing'))::int as pending_tasks,
        (select coalesce(sum(size), 0) from images where tenant_id = ${tenantId}
          and status in ('queued', 'saving', 'active'))::bigint as image_bytes`)
  ).rows as { active_tasks: number; pending_tasks: number; image_bytes: string }[];
  const limit = (own: number | null, fallback: number) => ({ value: own ?? fallback, default: own === null });
  return {
    id: tenant.id,
    name: tenant.name,
    limits: {
      max_active_tasks: limit(tenant.maxActiveTasks, defaults.TENANT_DEFAULT_MAX_ACTIVE_TASKS),
      max_pending_tasks: limit(tenant.maxPendingTasks, defaults.TENANT_DEFAULT_MAX_PENDING_TASKS),
      max_images: limit(tenant.maxImages, defaults.TENANT_DEFAULT_MAX_IMAGES),
      max_image_bytes: limit(tenant.maxImageBytes, defaults.TENANT_DEFAULT_MAX_IMAGE_BYTES),
    },
    usage: {
      active_tasks: Number(usage?.active_tasks ?? 0),
      pending_tasks: Number(usage?.pending_tasks ?? 0),
      images: await countImagesHeld(db, tenantId),
      image_bytes: Number(usage?.image_bytes ?? 0),
    },
    last_dispatched_at: tenant.lastDispatchedAt?.toISOString() ?? null,
  };
}

/**
 * Images not deleted or killed, plus imports in flight that have not made their image row yet, counted from the
 * rows (`tenant show` reports this; tenant_usage.images_held is the same figure kept by triggers).
 */
export async function countImagesHeld(db: DbExecutor, tenantId: string): Promise<number> {
  const { rows } = await db.execute(
    sql`select ((select count(*) from images
                  where tenant_id = ${tenantId} and status in ('queued', 'saving', 'active'))
              + (select count(*) from tasks t
                  where t.tenant_id = ${tenantId} and t.type = 'import' and t.status in ('pending', 'processing')
                    and not exists (select 1 from images i where i.source_task_id = t.id)))::int as n`,
  );
  return Number((rows[0] as { n: number | string } | undefined)?.n ?? 0);
}
