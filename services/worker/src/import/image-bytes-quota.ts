import { type DbExecutor, TaskMessage, tenants } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { TaskFailedError } from '../errors.js';

/**
 * Checks max_image_bytes once the import's size is known, and records that size (the task's progress total)
 * in the same transaction under a per-tenant lock, so two concurrent imports cannot both squeeze under the
 * limit. Counted: the tenant's images not deleted or killed (their size), plus the other imports in flight
 * (their recorded size). Throws TaskFailedError with a clear message when the import would pass the limit.
 */
export async function reserveImageBytes(
  tx: DbExecutor,
  task: { id: string; tenantId: string },
  bytes: number,
  defaultMaxImageBytes: number,
): Promise<void> {
  // An advisory lock per tenant, not a row lock: the dispatcher updates the tenant row during its rounds.
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext('cloud-images:image-bytes'), hashtext(${task.tenantId}))`,
  );
  const [tenant] = await tx
    .select({ max: tenants.maxImageBytes })
    .from(tenants)
    .where(eq(tenants.id, task.tenantId));
  const limit = tenant?.max ?? defaultMaxImageBytes;
  const [row] = (
    await tx.execute(sql`
      select
        coalesce((select sum(size) from images
          where tenant_id = ${task.tenantId} and status in ('queued', 'saving', 'active') and size is not null
            and (source_task_id is null or source_task_id <> ${task.id})), 0)
      + coalesce((select sum((progress->>'bytesTotal')::bigint) from tasks t
          where t.tenant_id = ${task.tenantId} and t.type = 'import' and t.status = 'processing'
            and t.id <> ${task.id} and t.progress->>'bytesTotal' is not null
            and not exists (select 1 from images i where i.source_task_id = t.id and i.size is not null)), 0)
      as used`)
  ).rows as { used: string | number }[];
  const used = Number(row?.used ?? 0);
  if (used + bytes > limit) {
    throw new TaskFailedError(
      TaskMessage.imageBytesLimit(limit, used, bytes),
      `max_image_bytes ${limit}: ${used} used + ${bytes} requested`,
    );
  }
  await tx.execute(sql`
    update tasks set progress = jsonb_build_object('stage', 'inspecting', 'bytesDone', 0, 'bytesTotal', ${bytes}::bigint,
      'percent', 0, 'updatedAt', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    where id = ${task.id} and status = 'processing'`);
}
