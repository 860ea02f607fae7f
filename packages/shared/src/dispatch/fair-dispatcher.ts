import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../db/client.js';
import { queueForTaskType } from '../queue/catalog.js';

/** Any fixed 64-bit key: one dispatcher at a time across every API and worker replica. */
const DISPATCH_LOCK_KEY = 0x0c10_0d15;

/**
 * Kicks (after each POST, after each finished job) start a round at most this often per process: under a burst
 * they coalesce into one round per gap, which dispatches for all of them, instead of back-to-back transactions.
 */
export const DISPATCH_KICK_MIN_GAP_MS = 10;

/**
 * Tasks one round dispatches at most. A burst of hundreds of POSTs with free capacity used to be dispatched in
 * one long transaction whose outbox rows all appeared at its end; rounds of this size commit (and wake the
 * relay) as they go. A round that reaches it reports `more`, and its runner starts the next one at once.
 */
export const DISPATCH_ROUND_MAX_TASKS = 32;

/** Postgres NOTIFY channel sent when the dispatcher wrote outbox rows, so a relay can publish at once. */
export const OUTBOX_NOTIFY_CHANNEL = 'cloud_images_outbox';

export interface DispatchOptions {
  /** max_active_tasks for tenants whose own column is null. */
  defaultMaxActive: number;
  /** Workers whose heartbeat is older than this do not count towards capacity. */
  heartbeatTtlMs: number;
}

export interface DispatchedTask {
  taskId: string;
  tenantId: string;
}

export interface DispatchRound {
  /** False when another replica held the dispatch lock: it is dispatching right now. */
  locked: boolean;
  capacity: number;
  busy: number;
  dispatched: DispatchedTask[];
  /** True when the round stopped at DISPATCH_ROUND_MAX_TASKS with capacity left: run another one now. */
  more: boolean;
}

/** Tasks that hold a worker slot: processing, or handed to the queue and not claimed yet. */
const HOLDS_SLOT = sql.raw(`(status = 'processing' or (status = 'pending' and dispatched_at is not null))`);

type Row = Record<string, unknown>;

/**
 * One dispatch round, in one transaction under a transaction-scoped advisory lock (replicas skip, never wait):
 * free = live worker capacity (per host, at most its host_slots) − tasks holding a slot (counted from task rows,
 * never from counters); then, while a slot is free, the tenant with undispatched work and room under its
 * max_active_tasks that was served longest ago (never-served first, then oldest waiting task) gets its oldest
 * pending task dispatched: dispatched_at set,
 * its outbox row written (the relay publishes it with the task-derived jobId). A,A,A,B,B,C on 2 slots thus runs
 * A,B,C,A,B,A. The queue never holds more jobs than free slots, so BullMQ's FIFO never orders tenants.
 */
export async function dispatchRound(
  db: { transaction: <T>(work: (tx: DbExecutor) => Promise<T>) => Promise<T> },
  options: DispatchOptions,
): Promise<DispatchRound> {
  return db.transaction(async (tx) => {
    const rows = async (query: ReturnType<typeof sql>) => (await tx.execute(query)).rows as Row[];
    const [lock] = await rows(sql`select pg_try_advisory_xact_lock(${DISPATCH_LOCK_KEY}) as locked`);
    if (!lock?.locked) return { locked: false, capacity: 0, busy: 0, dispatched: [], more: false };
    // Per host: the workers' slots, capped by the host's (least() ignores the null of a pre-0005 row).
    const [load] = await rows(sql`
      select (select coalesce(sum(least(slots, host_slots)), 0) from (
                select sum(concurrency) as slots, min(host_slots) as host_slots from worker_heartbeats
                where last_seen_at > now() - make_interval(secs => ${options.heartbeatTtlMs / 1000})
                group by coalesce(host_id, worker_id)) hosts)::int as capacity,
             (select count(*) from tasks where ${HOLDS_SLOT})::int as busy`);
    const capacity = Number(load?.capacity ?? 0);
    const busy = Number(load?.busy ?? 0);
    const dispatched: DispatchedTask[] = [];
    let free = capacity - busy;
    for (; free > 0 && dispatched.length < DISPATCH_ROUND_MAX_TASKS; free--) {
      const [next] = await rows(sql`
        with waiting as (
          select tenant_id, min(created_at) as oldest from tasks
          where status = 'pending' and dispatched_at is null group by tenant_id
        ), active as (
          select tenant_id, count(*) as n from tasks where ${HOLDS_SLOT} group by tenant_id
        ), chosen as (
          select t.id from tenants t
          join waiting w on w.tenant_id = t.id
          left join active a on a.tenant_id = t.id
          where coalesce(a.n, 0) < coalesce(t.max_active_tasks, ${options.defaultMaxActive})
          order by t.last_dispatched_at asc nulls first, w.oldest asc, t.id
          limit 1
        ), task as (
          select k.id, k.type, k.tenant_id from tasks k join chosen c on c.id = k.tenant_id
          where k.status = 'pending' and k.dispatched_at is null
          order by k.created_at, k.id limit 1 for update of k
        )
        -- clock_timestamp, not now(): tasks dispatched in one round get increasing times, so dispatched_at
        -- records the dispatch order (the round-robin e2e test reads it).
        update tasks set dispatched_at = clock_timestamp() from task where tasks.id = task.id
        returning task.id as task_id, task.type as type, task.tenant_id as tenant_id`);
      if (!next) break;
      const taskId = String(next.task_id);
      const tenantId = String(next.tenant_id);
      const queue = queueForTaskType[next.type as keyof typeof queueForTaskType];
      await tx.execute(sql`update tenants set last_dispatched_at = clock_timestamp() where id = ${tenantId}`);
      await tx.execute(sql`
        insert into outbox (task_id, queue, payload)
        values (${taskId}, ${queue}, ${JSON.stringify({ taskId })}::jsonb)`);
      dispatched.push({ taskId, tenantId });
    }
    if (dispatched.length > 0) await tx.execute(sql`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`);
    const more = dispatched.length === DISPATCH_ROUND_MAX_TASKS && free > 0;
    return { locked: true, capacity, busy, dispatched, more };
  });
}
