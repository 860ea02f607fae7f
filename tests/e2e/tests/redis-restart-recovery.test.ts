import { createDatabase, type DatabaseHandle } from '@cloud-images/shared';
import { type PrivateRedis, type ServiceProcess, s3ClientFor, startRedis } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eEnv } from '../support/e2e-env.js';
import { installTransitionLog, taskTimelines } from '../support/task-transitions.js';

const TASKS = 30;
/** Recovery settings of this file (docs/fair-dispatch.md gives the production ones). */
const RECOVERY = {
  TASK_HEARTBEAT_TIMEOUT_MS: '5000',
  RECOVERY_INTERVAL_MS: '1000',
  PENDING_RECONCILE_AFTER_SECONDS: '5',
  WORKER_HEARTBEAT_TTL_MS: '4000',
};
const WORKER = { ...RECOVERY, WORKER_HEARTBEAT_INTERVAL_MS: '1000', PROGRESS_INTERVAL_MS: '200' };
/** Slots of the worker that survives (WORKER_CONCURRENCY's default). */
const SURVIVOR_SLOTS = 2;
/** The API's DISPATCH_INTERVAL_MS default: the longest a freed slot waits for a round if every kick were lost. */
const DISPATCH_INTERVAL_MS = 1_000;
/**
 * docs/fair-dispatch.md, computed from this file's settings: a processing task whose worker died is re-dispatched
 * within TASK_HEARTBEAT_TIMEOUT_MS + RECOVERY_INTERVAL_MS; a dispatched job Redis lost is re-published within
 * PENDING_RECONCILE_AFTER_SECONDS + RECOVERY_INTERVAL_MS. Either way it runs again within this, then takes its
 * own duration (plus, on a busy worker, the wait for a slot).
 */
const RECOVERY_MS =
  Math.max(
    Number(RECOVERY.TASK_HEARTBEAT_TIMEOUT_MS),
    Number(RECOVERY.PENDING_RECONCILE_AFTER_SECONDS) * 1_000,
  ) + Number(RECOVERY.RECOVERY_INTERVAL_MS);

// A private Redis: this file kills it and brings it back empty.
let redis: PrivateRedis;
let env: E2eEnv;
let second: ServiceProcess | undefined;
let fixtures: FixtureDir;
let db: DatabaseHandle;
let importFrom: string;

beforeAll(async () => {
  redis = await startRedis();
  fixtures = new FixtureDir('e2e-redis-restart-');
  env = await E2eEnv.start({ redisUrl: redis.url, api: RECOVERY, worker: WORKER });
  second = await env.spawnExtraWorker('second');
  db = createDatabase({ url: env.env.DATABASE_URL!, poolMax: 2 });
  // Every status transition, so each task's terminal transitions can be counted (exactly one) and timed.
  await installTransitionLog(db.pool);
  const path = await fixtures.make('mid.vhd', 'dynamic', '64M', [
    { pattern: 0x22, offset: '0', length: '16M' },
  ]);
  await env.tenantA.createContainer('src');
  importFrom = await env.tenantA.upload('src', 'mid.vhd', path);
  await env.admin(['tenant', 'update', env.tenantA.id, '--max-active', '4']);
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await db?.close();
  await env?.stop();
  await redis?.destroy();
  await fixtures?.remove();
});

describe('Redis restarted empty while a worker is SIGKILLed', () => {
  it('ends every task within the recovery bound, with exactly one terminal transition; imports = images = objects', async () => {
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      ids.push(
        (
          await env.tenantA.api.createTask('import', {
            import_from: importFrom,
            image_properties: { name: `r${i}` },
          })
        ).id,
      );
    }
    // Wait until work is in flight on both workers, then crash one and wipe Redis.
    await expect
      .poll(
        async () =>
          (await db.pool.query(`select count(*)::int as n from tasks where status = 'success'`)).rows[0].n,
        {
          timeout: 120_000,
          interval: 250,
        },
      )
      .toBeGreaterThanOrEqual(3);
    await env.killWorker();
    const crashedAt = Date.now();
    // What the crash interrupted: tasks a worker held or that sat in Redis as jobs, and tasks still to run.
    const { rows: atCrash } = await db.pool.query<{ id: string; status: string; dispatched: boolean }>(
      `select id, status, dispatched_at is not null as dispatched from tasks`,
    );
    await redis.kill();
    await redis.start(); // empty: nothing was saved
    const inFlight = new Set(
      atCrash
        .filter((r) => r.status === 'processing' || (r.status === 'pending' && r.dispatched))
        .map((r) => r.id),
    );
    const unfinished = atCrash.filter((r) => r.status === 'pending' || r.status === 'processing').length;
    console.log(
      `[redis-restart] at the crash: ${inFlight.size} in flight, ${unfinished} unfinished, ` +
        `${TASKS - unfinished} ended`,
    );

    // Every task ends; none may stay pending or processing.
    await expect
      .poll(
        async () =>
          (
            await db.pool.query(
              `select count(*)::int as n from tasks where status in ('pending', 'processing')`,
            )
          ).rows[0].n,
        { timeout: 600_000, interval: 500 },
      )
      .toBe(0);
    const recoveredIn = Date.now() - crashedAt;
    const { rows } = await db.pool.query<{
      id: string;
      status: string;
      attempts: number;
      message: string | null;
    }>(`select id, status, attempts, message from tasks`);
    const succeeded = rows.filter((r) => r.status === 'success');
    const retried = rows.filter((r) => r.attempts > 1).length;
    const images = await db.pool.query<{ n: number; tasks: number }>(
      `select count(*)::int as n, count(distinct source_task_id)::int as tasks from images where status = 'active'`,
    );
    const store = s3ClientFor(env.stack, env.stack.s3.service);
    const objects = await store.listObjectsV2(env.env.IMAGE_STORE_BUCKET!, '', true).toArray();

    // Exactly one terminal transition per task, as the trigger saw them.
    const timelines = await taskTimelines(db.pool);
    const notOnce = timelines.filter((t) => t.terminal !== 1);

    // The recovery bound, from this file's settings and the runs measured: a task the crash interrupted runs
    // again within RECOVERY_MS, after at most one run that took its slot first (plus a dispatch round), then
    // runs; the whole backlog then drains in waves of the survivor's slots.
    const lastRuns = await db.pool.query<{ ms: number }>(`
      select extract(epoch from (e.at - c.at)) * 1000 as ms
      from (select task_id, max(at) as at from test_task_transitions where to_status = 'processing' group by task_id) c
      join test_task_transitions e on e.task_id = c.task_id and e.to_status in ('success', 'failure')`);
    const maxRunMs = Math.max(...lastRuns.rows.map((r) => Number(r.ms)));
    const perTaskBoundMs = RECOVERY_MS + 2 * (maxRunMs + DISPATCH_INTERVAL_MS);
    const waves = Math.ceil(unfinished / SURVIVOR_SLOTS) + 1;
    const allBoundMs = RECOVERY_MS + waves * (maxRunMs + DISPATCH_INTERVAL_MS);
    const interrupted = timelines.filter((t) => inFlight.has(t.taskId));
    const interruptedEndMs = interrupted.map(
      (t) => (t.endedAt?.getTime() ?? Number.POSITIVE_INFINITY) - crashedAt,
    );
    const slowest = Math.max(0, ...interruptedEndMs);
    console.log(
      `[redis-restart] all ${rows.length} tasks ended ${recoveredIn} ms after the crash; recovery time ` +
        `${RECOVERY_MS} ms (heartbeat timeout / reconcile age + sweep interval), longest run ${maxRunMs.toFixed(0)} ms; ` +
        `the ${interrupted.length} interrupted tasks ended within ${slowest.toFixed(0)} ms (bound ${perTaskBoundMs.toFixed(0)} ms), ` +
        `all within ${recoveredIn} ms (bound ${allBoundMs.toFixed(0)} ms for ${unfinished} unfinished on ${SURVIVOR_SLOTS} slots); ` +
        `${succeeded.length} succeeded, ${retried} ran more than once; terminal transitions per task: ` +
        `${notOnce.length === 0 ? 'exactly 1 each' : JSON.stringify(notOnce)}; ${images.rows[0]!.n} images, ${objects.length} stored objects`,
    );
    expect(rows).toHaveLength(TASKS);
    expect(succeeded).toHaveLength(TASKS);
    expect(timelines).toHaveLength(TASKS);
    expect(notOnce).toEqual([]);
    expect(interrupted.length).toBeGreaterThan(0);
    for (const ms of interruptedEndMs) expect(ms).toBeLessThanOrEqual(perTaskBoundMs);
    expect(recoveredIn).toBeLessThanOrEqual(allBoundMs);
    expect(images.rows[0]).toEqual({ n: succeeded.length, tasks: succeeded.length });
    expect(objects).toHaveLength(succeeded.length);
  }, 900_000);
});
