import {
  type DbExecutor,
  type TaskRow,
  type TaskType,
  type TenantLimitDefaults,
  tasks,
} from '@cloud-images/shared';
import { getTableColumns, sql } from 'drizzle-orm';
import { OverLimitError } from '../domain-errors.js';

/** Seconds a client is told to wait before retrying a POST refused for a tenant limit: tasks take that long. */
export const ADMISSION_RETRY_AFTER_SECONDS = 30;

/**
 * How many of one tenant's admissions may run at once while the tenant is far from its limits. Each holds one
 * of this many slot locks, so at most this many admitted-but-uncommitted tasks are invisible to any count.
 */
export const ADMISSION_SLOTS = 8;

/** How admission is locked; see insertAdmittedTask. */
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

/** The task row as the admission statement inserts it. */
export interface AdmittedTask {
  tenantId: string;
  type: TaskType;
  input: Record<string, unknown>;
  idempotencyKey: string | null;
  requestHash: string;
}

/**
 * Inserts the task, pending, if it would pass neither max_pending_tasks nor, for an import, max_images (images
 * held plus imports in flight); OverLimitError otherwise. `admit: false` skips the check (a task born failed
 * takes no slot). Returns undefined when the idempotency key is already taken (nothing inserted).
 *
 * One SQL statement, `cloud_images_admit_task` (migration 0006), takes the locks, reads the usage and inserts:
 * outside a transaction it is its own transaction and a POST is one round trip. The usage comes from
 * tenant_usage, kept by triggers in the same transactions as the rows, and is read after the locks are granted.
 * Why not a row lock on `tenants`: the dispatcher updates the tenant row inside its round.
 *
 * The limits stay exact without serialising every POST of a tenant (which capped one tenant at a few hundred
 * POSTs a second, one lock holder at a time):
 * - `shared`: the tenant's admission lock in shared mode plus one of ADMISSION_SLOTS slot locks. A count then
 *   misses at most ADMISSION_SLOTS − 1 concurrent admissions (each holds a slot until it commits), so admitting
 *   only while `count + ADMISSION_SLOTS ≤ limit` can never overshoot. Nearer the limit it throws
 *   ExclusiveAdmissionNeeded, having written nothing; its transaction must roll back before the retry.
 * - `exclusive`: the lock in exclusive mode waits for every shared holder to commit, so its count is exact.
 */
export async function insertAdmittedTask(
  executor: Pick<DbExecutor, 'execute'>,
  task: AdmittedTask,
  options: { admit: boolean; mode: AdmissionMode; defaults: TenantLimitDefaults },
): Promise<TaskRow | undefined> {
  const { defaults } = options;
  try {
    const { rows } = await executor.execute(sql`
      select * from cloud_images_admit_task(
        ${task.tenantId}, ${task.type}, ${JSON.stringify(task.input)}::jsonb, ${task.idempotencyKey},
        ${task.requestHash}, ${options.admit}, ${options.mode === 'exclusive'}, ${ADMISSION_SLOTS}::int,
        ${defaults.TENANT_DEFAULT_MAX_PENDING_TASKS}::int, ${defaults.TENANT_DEFAULT_MAX_IMAGES}::int)`);
    const row = rows[0] as Record<string, unknown> | undefined;
    return row ? taskRowFromDriver(row) : undefined;
  } catch (error) {
    throw admissionRefusal(error) ?? error;
  }
}

/** The typed error for the SQLSTATEs cloud_images_admit_task raises, if it is one of them. */
function admissionRefusal(error: unknown): Error | undefined {
  const cause = (error as { cause?: unknown } | null | undefined)?.cause ?? error;
  const { code, detail } = (cause ?? {}) as { code?: string; detail?: string };
  if (code === 'CI001') return new ExclusiveAdmissionNeeded();
  if (code !== 'CI002' || !detail) return undefined;
  const refusal = JSON.parse(detail) as { limit: string; max: number; current: number };
  return new OverLimitError(refusal.limit, refusal.max, refusal.current, ADMISSION_RETRY_AFTER_SECONDS);
}

const taskColumns = Object.entries(getTableColumns(tasks));

/** A `tasks` row as the driver returned it (column names, raw timestamps) mapped as drizzle maps a select. */
function taskRowFromDriver(raw: Record<string, unknown>): TaskRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of taskColumns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as TaskRow;
}
