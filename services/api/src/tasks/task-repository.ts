import {
  type Database,
  outbox,
  queueForTaskType,
  type SortDir,
  type TASK_SORT_KEYS,
  type TaskOutcomeWriter,
  type TaskRow,
  type TaskStatus,
  type TaskType,
  tasks,
} from '@cloud-images/shared';
import { and, eq, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { afterMarker, keysetOrder } from '../db/keyset-pagination.js';

/** A task exists for its client until `expires_at`; after that it is gone even before the purge deletes it. */
export const taskIsVisible = or(isNull(tasks.expiresAt), gt(tasks.expiresAt, sql`now()`)) as SQL;

export interface NewTask {
  tenantId: string;
  type: TaskType;
  input: Record<string, unknown>;
  idempotencyKey: string | undefined;
  requestHash: string;
  /** Set when the task is born failed (validation the contract defers to the task); no job is enqueued. */
  failureMessage?: string;
}

export type CreateTaskOutcome =
  | { kind: 'created'; task: TaskRow }
  | { kind: 'replayed'; task: TaskRow }
  | { kind: 'key-conflict'; task: TaskRow };

/**
 * Writes the task and its outbox row in ONE transaction, so a committed task always reaches the queue
 * (the relay publishes the outbox row) and a rolled-back one never does.
 * With an idempotency key, a second request finds the first task instead of creating another.
 */
export async function insertTaskWithOutbox(
  db: Database,
  outcomes: TaskOutcomeWriter,
  task: NewTask,
): Promise<CreateTaskOutcome> {
  return db.transaction(async (tx) => {
    if (task.idempotencyKey) {
      // An expired task no longer exists for the client, so its key is free again.
      await tx
        .delete(tasks)
        .where(
          and(
            eq(tasks.tenantId, task.tenantId),
            eq(tasks.idempotencyKey, task.idempotencyKey),
            lte(tasks.expiresAt, sql`now()`),
          ),
        );
    }
    const [row] = await tx
      .insert(tasks)
      .values({
        tenantId: task.tenantId,
        type: task.type,
        input: task.input,
        idempotencyKey: task.idempotencyKey ?? null,
        requestHash: task.requestHash,
      })
      .onConflictDoNothing({
        target: [tasks.tenantId, tasks.idempotencyKey],
        where: sql`${tasks.idempotencyKey} is not null`,
      })
      .returning();
    if (!row) {
      // ON CONFLICT waited for any concurrent holder of the key to commit, so the winner is visible now.
      const [existing] = await tx
        .select()
        .from(tasks)
        .where(and(eq(tasks.tenantId, task.tenantId), eq(tasks.idempotencyKey, task.idempotencyKey ?? '')));
      if (!existing) throw new Error('idempotency key conflict without a visible task');
      return existing.requestHash === task.requestHash
        ? { kind: 'replayed', task: existing }
        : { kind: 'key-conflict', task: existing };
    }
    if (task.failureMessage !== undefined) {
      // Born pending and failed at once through the shared writer, so it passes the same transition guard.
      const failed = await outcomes.fail(row.id, { message: task.failureMessage }, tx);
      if (!failed) throw new Error(`task ${row.id} could not be failed at creation`);
      return { kind: 'created', task: failed };
    }
    await tx
      .insert(outbox)
      .values({ taskId: row.id, queue: queueForTaskType[task.type], payload: { taskId: row.id } });
    return { kind: 'created', task: row };
  });
}

export async function findVisibleTask(
  db: Database,
  tenantId: string,
  id: string,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.tenantId, tenantId), taskIsVisible));
  return row;
}

export type TaskSortKey = (typeof TASK_SORT_KEYS)[number];

const sortColumns = {
  created_at: tasks.createdAt,
  updated_at: tasks.updatedAt,
  id: tasks.id,
  type: tasks.type,
  status: tasks.status,
} as const;

export interface TaskListQuery {
  tenantId: string;
  status?: TaskStatus;
  type?: TaskType;
  sortKey: TaskSortKey;
  sortDir: SortDir;
  limit: number;
  /** Already checked to be one of the tenant's visible tasks. */
  marker?: string;
}

export async function listVisibleTasks(db: Database, query: TaskListQuery): Promise<TaskRow[]> {
  const sortExpr = sortColumns[query.sortKey];
  const conditions: SQL[] = [eq(tasks.tenantId, query.tenantId), taskIsVisible];
  if (query.status) conditions.push(eq(tasks.status, query.status));
  if (query.type) conditions.push(eq(tasks.type, query.type));
  if (query.marker) {
    const markerRow = db
      .select({ key: sortExpr, id: tasks.id })
      .from(tasks)
      .where(eq(tasks.id, query.marker));
    conditions.push(afterMarker(sortExpr, tasks.id, query.sortDir, markerRow));
  }
  return db
    .select()
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...keysetOrder(sortExpr, tasks.id, query.sortDir))
    .limit(query.limit);
}
