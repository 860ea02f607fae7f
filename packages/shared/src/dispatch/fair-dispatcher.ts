import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../db/client.js';
import { queueForTaskType } from '../queue/catalog.js';

/** Any fixed 64-bit key: one dispatcher at a time across every API and worker replica. */
export const DISPATCH_LOCK_KEY = 0x0c10_0d15;

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
 * never from counters); then up to min(free, DISPATCH_ROUND_MAX_TASKS) tasks are dispatched (dispatched_at set,
 * outbox row written; the relay publishes each with its task-derived jobId).
 *
 * The order is the round-robin's: the tenant with undispatched work and room under its max_active_tasks that was
 * served longest ago (never-served first, then oldest waiting task) gets its oldest pending task, and goes to the
 * back. A,A,A,B,B,C on 2 slots thus runs A,B,C,A,B,A. Served in that order, the tenants keep their relative
 * order, so a round is a series of turns: turn 0 gives each tenant in that order its oldest task, turn 1 its
 * second (if it still has room), and so on. Sorting the waiting tasks by (turn, tenant order) gives the same
 * sequence in one statement. It reads each tenant's oldest waiting task by index and at most a round's tasks
 * per served tenant, where picking one task at a time grouped the whole backlog once per task (docs/scaling.md,
 * "the dispatcher"). The queue never holds more jobs than free slots, so BullMQ's FIFO never
 * orders tenants.
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
    const free = capacity - busy;
    const limit = Math.min(free, DISPATCH_ROUND_MAX_TASKS);
    if (limit <= 0) return { locked: true, capacity, busy, dispatched: [], more: false };
    // The whole round in one statement; see the function's comment for why the order is the round-robin's.
    const picked = await rows(sql`
      with active as (
        select tenant_id, count(*)::int as n from tasks where ${HOLDS_SLOT} group by tenant_id
      ), next_tenants as (
        -- A round serves at most as many tenants as it dispatches tasks: the first ones in round-robin order
        -- with waiting work and room. One index probe per tenant (tasks_undispatched_idx), never a backlog scan.
        select t.id, t.last_dispatched_at, o.oldest,
               coalesce(t.max_active_tasks, ${options.defaultMaxActive}) - coalesce(a.n, 0) as room
        from tenants t
        cross join lateral (
          select k.created_at as oldest from tasks k
          where k.tenant_id = t.id and k.status = 'pending' and k.dispatched_at is null
          order by k.created_at limit 1
        ) o
        left join active a on a.tenant_id = t.id
        where coalesce(t.max_active_tasks, ${options.defaultMaxActive}) - coalesce(a.n, 0) > 0
        order by t.last_dispatched_at asc nulls first, o.oldest, t.id
        limit ${limit}
      ), picked as (
        select w.id, w.turn, n.last_dispatched_at, n.oldest, n.id as tenant_id
        from next_tenants n
        cross join lateral (
          select k.id, row_number() over (order by k.created_at, k.id) - 1 as turn from tasks k
          where k.tenant_id = n.id and k.status = 'pending' and k.dispatched_at is null
          order by k.created_at, k.id limit least(n.room, ${limit}::int)
        ) w
        order by w.turn, n.last_dispatched_at asc nulls first, n.oldest, n.id
        limit ${limit}
      ), sequenced as (
        select id, row_number() over (order by turn, last_dispatched_at asc nulls first, oldest, tenant_id) as seq
        from picked
      ), started as (
        select clock_timestamp() as at
      ), dispatched as (
        -- dispatched_at records the dispatch order (the round-robin e2e test reads it): 1 µs apart in a round.
        update tasks set dispatched_at = started.at + sequenced.seq * interval '1 microsecond'
        from sequenced, started
        where tasks.id = sequenced.id and tasks.status = 'pending' and tasks.dispatched_at is null
        returning tasks.id, tasks.type, tasks.tenant_id, tasks.dispatched_at, sequenced.seq
      ), served as (
        update tenants set last_dispatched_at = last.at
        from (select tenant_id, max(dispatched_at) as at from dispatched group by tenant_id) last
        where tenants.id = last.tenant_id
      )
      -- Every picked task, dispatched or not: one that changed meanwhile (the UPDATE re-checks it) is skipped.
      select d.id as task_id, d.type, d.tenant_id from sequenced s left join dispatched d on d.id = s.id
      order by s.seq`);
    const done = picked.filter((row) => row.task_id !== null);
    const dispatched: DispatchedTask[] = done.map((row) => ({
      taskId: String(row.task_id),
      tenantId: String(row.tenant_id),
    }));
    if (dispatched.length > 0) {
      // [task id, queue] pairs, inserted in dispatch order (the outbox id orders the relay's publishing).
      const jobs = done.map((row) => [
        row.task_id,
        queueForTaskType[row.type as keyof typeof queueForTaskType],
      ]);
      await tx.execute(sql`
        insert into outbox (task_id, queue, payload)
        select (job->>0)::uuid, job->>1, jsonb_build_object('taskId', job->>0)
        from jsonb_array_elements(${JSON.stringify(jobs)}::jsonb) with ordinality as u(job, n)
        order by n`);
      await tx.execute(sql`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`);
    }
    // The round stopped at its cap, or skipped a task that changed meanwhile: free slots may be left for the rest.
    const more =
      free > dispatched.length && (picked.length === DISPATCH_ROUND_MAX_TASKS || done.length < picked.length);
    return { locked: true, capacity, busy, dispatched, more };
  });
}
