import type { DatabaseHandle } from '@cloud-images/shared';

type Pool = DatabaseHandle['pool'];

/**
 * A log of every change of tasks.status, written by a trigger in the test's own database (never in the product's
 * schema): what the processes did, as Postgres saw it, with the time of each transition (clock_timestamp, so
 * transitions of one transaction keep their order).
 */
export async function installTransitionLog(pool: Pool): Promise<void> {
  await pool.query(`
    create table test_task_transitions (
      seq bigserial primary key,
      task_id uuid not null,
      from_status task_status,
      to_status task_status not null,
      at timestamptz not null default clock_timestamp()
    );
    create function test_log_task_transition() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' or new.status is distinct from old.status then
        insert into test_task_transitions (task_id, from_status, to_status)
        values (new.id, case when tg_op = 'UPDATE' then old.status end, new.status);
      end if;
      return new;
    end $$;
    create trigger test_task_transitions after insert or update of status on tasks
      for each row execute function test_log_task_transition();`);
}

export interface TaskTimeline {
  taskId: string;
  /** Transitions into success or failure: exactly one for a task that ended once. */
  terminal: number;
  /** Times the task entered processing (a claim by a worker). */
  claims: number;
  lastClaimAt: Date | null;
  endedAt: Date | null;
}

/** Per task: its terminal transitions and claims, from the log. */
export async function taskTimelines(pool: Pool): Promise<TaskTimeline[]> {
  const { rows } = await pool.query<{
    task_id: string;
    terminal: number;
    claims: number;
    last_claim_at: Date | null;
    ended_at: Date | null;
  }>(`
    select t.id as task_id,
      count(*) filter (where l.to_status in ('success', 'failure'))::int as terminal,
      count(*) filter (where l.to_status = 'processing')::int as claims,
      max(l.at) filter (where l.to_status = 'processing') as last_claim_at,
      max(l.at) filter (where l.to_status in ('success', 'failure')) as ended_at
    from tasks t left join test_task_transitions l on l.task_id = t.id
    group by t.id`);
  return rows.map((r) => ({
    taskId: r.task_id,
    terminal: r.terminal,
    claims: r.claims,
    lastClaimAt: r.last_claim_at,
    endedAt: r.ended_at,
  }));
}
