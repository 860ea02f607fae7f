import { userInfo } from 'node:os';
import { auditEvents, type DbExecutor } from '@cloud-images/shared';
import { and, asc, eq, gte, type SQL } from 'drizzle-orm';
import { AdminError } from './admin-commands.js';

/** One admin mutation. `changedFields` are names only: a value, and so a secret, never reaches the trail. */
export interface AuditEvent {
  actor: string;
  action: string;
  target: string;
  tenantId?: string | null;
  changedFields?: readonly string[];
}

/** Written with the caller's executor, so the event commits or rolls back together with the change it records. */
export async function recordAuditEvent(db: DbExecutor, event: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values({
    actor: event.actor,
    action: event.action,
    target: event.target,
    tenantId: event.tenantId ?? null,
    changedFields: [...(event.changedFields ?? [])],
  });
}

/** `--actor` when given; otherwise the OS user running the CLI, which is what `sudo` or a CI job leaves behind. */
export function resolveActor(flag: string | undefined): string {
  if (flag) return flag;
  try {
    return userInfo().username || 'unknown';
  } catch {
    // No passwd entry for the uid, as in some containers.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

/** `audit list [--since TIME] [--tenant ID]`, oldest first. */
export async function listAuditEvents(db: DbExecutor, filter: { since?: string; tenantId?: string }) {
  const conditions: SQL[] = [];
  if (filter.since !== undefined) {
    const since = new Date(filter.since);
    if (Number.isNaN(since.getTime())) {
      throw new AdminError(`--since must be an ISO 8601 time, got '${filter.since}'`);
    }
    conditions.push(gte(auditEvents.occurredAt, since));
  }
  if (filter.tenantId !== undefined) conditions.push(eq(auditEvents.tenantId, filter.tenantId));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(asc(auditEvents.occurredAt), asc(auditEvents.id));
  return rows.map((row) => ({
    id: row.id,
    occurred_at: row.occurredAt.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    tenant_id: row.tenantId,
    changed_fields: row.changedFields,
  }));
}
