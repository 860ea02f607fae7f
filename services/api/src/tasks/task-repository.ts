import {
  type Database,
  type SortDir,
  type TASK_SORT_KEYS,
  type TaskOutcomeWriter,
  type TaskRow,
  type TaskStatus,
  type TaskType,
  type TenantLimitDefaults,
  tasks,
} from '@cloud-images/shared';
import { and, eq, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { afterMarker, keysetOrder } from '../db/keyset-pagination.js';
import { type AdmissionMode, ExclusiveAdmissionNeeded, insertAdmittedTask } from './tenant-admission.js';

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
 * Writes the task row, pending and undispatched: the fair dispatcher later hands it to the queue (its outbox
 * row is written then, in the dispatcher's transaction). An idempotent replay returns the original task before
 * any limit is checked; a new task is admitted under the tenant's admission locks (OverLimitError otherwise).
 */
export async function insertTask(
  db: Database,
  outcomes: TaskOutcomeWriter,
  task: NewTask,
  limits: TenantLimitDefaults,
): Promise<CreateTaskOutcome> {
  try {
    return await insertTaskAdmitted(db, outcomes, task, limits, 'shared');
  } catch (error) {
    // Near a limit: the shared attempt wrote nothing and rolled back; count again under the exclusive lock.
    if (!(error instanceof ExclusiveAdmissionNeeded)) throw error;
    return insertTaskAdmitted(db, outcomes, task, limits, 'exclusive');
  }
}

async function insertTaskAdmitted(
  db: Database,
  outcomes: TaskOutcomeWriter,
  task: NewTask,
  limits: TenantLimitDefaults,
  mode: AdmissionMode,
): Promise<CreateTaskOutcome> {
  const row = {
    tenantId: task.tenantId,
    type: task.type,
    input: task.input,
    idempotencyKey: task.idempotencyKey ?? null,
    requestHash: task.requestHash,
  };
  // A task born failed never runs, so it takes no slot under the limits.
  const admission = { admit: task.failureMessage === undefined, mode, defaults: limits };
  if (!task.idempotencyKey && task.failureMessage === undefined) {
    // The common POST: one statement, which is its own transaction.
    const created = await insertAdmittedTask(db, row, admission);
    if (!created) throw new Error('task insert without an idempotency key returned no row');
    return { kind: 'created', task: created };
  }
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
      const replay = await findByKey(tx, task.tenantId, task.idempotencyKey);
      if (replay) return replayOutcome(replay, task);
    }
    const created = await insertAdmittedTask(tx, row, admission);
    if (!created) {
      // ON CONFLICT waited for any concurrent holder of the key to commit, so the winner is visible now.
      const existing = await findByKey(tx, task.tenantId, task.idempotencyKey ?? '');
      if (!existing) throw new Error('idempotency key conflict without a visible task');
      return replayOutcome(existing, task);
    }
    if (task.failureMessage !== undefined) {
      // Born pending and failed at once through the shared writer, so it passes the same transition guard.
      const failed = await outcomes.fail(created.id, { message: task.failureMessage }, tx);
      if (!failed) throw new Error(`task ${created.id} could not be failed at creation`);
      return { kind: 'created', task: failed };
    }
    return { kind: 'created', task: created };
  });
}

async function findByKey(
  tx: Pick<Database, 'select'>,
  tenantId: string,
  key: string,
): Promise<TaskRow | undefined> {
  const [existing] = await tx
    .select()
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.idempotencyKey, key)));
  return existing;
}

function replayOutcome(existing: TaskRow, task: NewTask): CreateTaskOutcome {
  return existing.requestHash === task.requestHash
    ? { kind: 'replayed', task: existing }
    : { kind: 'key-conflict', task: existing };
}

function prepareFindVisibleTask(db: Database) {
  return db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.id, sql.placeholder('id')),
        eq(tasks.tenantId, sql.placeholder('tenantId')),
        taskIsVisible,
      ),
    )
    .prepare('find_visible_task');
}

/** Built once per database: GET /v2/tasks/{id} is the hottest read, and building the query cost more than running it. */
const findVisibleTaskQueries = new WeakMap<Database, ReturnType<typeof prepareFindVisibleTask>>();

export async function findVisibleTask(
  db: Database,
  tenantId: string,
  id: string,
): Promise<TaskRow | undefined> {
  let query = findVisibleTaskQueries.get(db);
  if (!query) {
    query = prepareFindVisibleTask(db);
    findVisibleTaskQueries.set(db, query);
  }
  const [row] = await query.execute({ id, tenantId });
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
