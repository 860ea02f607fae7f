/**
 * Benchmark: what one dispatch costs as the backlog grows. The fair dispatcher picks, for every task it
 * dispatches, the tenant served longest ago among those with undispatched work; this measures that choice
 * against the number of tenants waiting. Per case: T tenants with K undispatched tasks each are written with
 * generate_series, one worker heartbeat offers more slots than the run uses (so capacity never stops a
 * round), and dispatchRound (the production code) runs R rounds of up to DISPATCH_ROUND_MAX_TASKS. The
 * baseline, in the same run, is the first case: 10 tenants.
 * BENCH_TENANTS (default 10,1000,10000), BENCH_TASKS_PER_TENANT (default 10), BENCH_ROUNDS (default 10).
 * Usage: pnpm bench:dispatch-backlog (needs `pnpm build`).
 */
import { cpus, loadavg } from 'node:os';
import { DISPATCH_ROUND_MAX_TASKS, dispatchRound } from '@cloud-images/shared';
import { sql } from 'drizzle-orm';
import { median, openBenchStack, spread } from './bench-stack.js';

const TENANTS = (process.env.BENCH_TENANTS ?? '10,1000,10000').split(',').map(Number);
const PER_TENANT = Number(process.env.BENCH_TASKS_PER_TENANT ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const bench = await openBenchStack();
const { db } = bench.database;
const rows: string[][] = [];
let baselineMsPerTask: number | undefined;
try {
  for (const tenants of TENANTS) {
    await db.execute(sql`truncate tasks, outbox, worker_heartbeats, tenant_usage, tenants cascade`);
    await db.execute(sql`
      insert into tenants (id, name, s3_access_key, s3_secret_key_encrypted)
      select 'b' || i, 'bench-' || i, 'ak', 'v1:x:y:z' from generate_series(1, ${tenants}) i`);
    // Created one after another across tenants, as a steady stream of POSTs would be.
    await db.execute(sql`
      insert into tasks (tenant_id, type, input, created_at)
      select 'b' || (1 + (n % ${tenants})), 'import', '{}'::jsonb, now() - make_interval(secs => ${tenants * PER_TENANT} - n)
      from generate_series(0, ${tenants * PER_TENANT - 1}) n`);
    await db.execute(sql`insert into worker_heartbeats (worker_id, concurrency) values ('bench', 1000000)`);
    await db.execute(sql`analyze tasks`);
    await db.execute(sql`analyze tenants`);

    const msPerTask: number[] = [];
    let dispatched = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const result = await dispatchRound(db, { defaultMaxActive: 1_000_000, heartbeatTtlMs: 60_000 });
      const ms = performance.now() - started;
      if (result.dispatched.length === 0) break;
      dispatched += result.dispatched.length;
      msPerTask.push(ms / result.dispatched.length);
    }
    const perTask = median(msPerTask);
    baselineMsPerTask ??= perTask;
    rows.push([
      String(tenants),
      String(tenants * PER_TENANT),
      String(dispatched),
      perTask.toFixed(2),
      spread(msPerTask),
      (1000 / perTask).toFixed(0),
      (perTask / baselineMsPerTask).toFixed(1),
    ]);
  }
} finally {
  await bench.close();
}

console.log(
  `dispatch-backlog: dispatchRound (rounds of up to ${DISPATCH_ROUND_MAX_TASKS}), ${ROUNDS} rounds per case, ` +
    `${PER_TENANT} undispatched tasks per tenant, capacity never limiting, ${cpus().length} CPUs, ` +
    `load average ${loadavg()[0]!.toFixed(2)} at the end`,
);
const header = [
  'tenants',
  'backlog',
  'dispatched',
  'ms/task median',
  'spread',
  'tasks/s (one dispatcher)',
  `× ${TENANTS[0]} tenants`,
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const line of [header, ...rows]) console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
