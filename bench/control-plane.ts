/**
 * Benchmark: what the system costs per task apart from the bytes. Imports of an empty dynamic VHD (a few KiB,
 * 1 GiB virtual) from two tenants, through the real API and 1, 2 and 4 real worker processes (one phase each,
 * BENCH_WORKERS=1,2,4). Per phase: tasks/s (first POST → last task terminal), S3 requests per task by kind (the
 * workers' cloud_images_worker_s3_requests_total), Postgres transactions and rows written per task
 * (pg_stat_database before/after, and statements per task when pg_stat_statements is loaded), Redis commands
 * per task (INFO commandstats) and used_memory growth per task.
 * BENCH_TASKS (default 200) tasks per phase; BENCH_PAIRS (default 1) repeats of each phase.
 * BENCH_BEFORE_WORKER=/path/to/an/older/services/worker/dist/main.js runs every phase with that worker too,
 * alternating with this tree's, so a change to the import path is compared in same-run pairs.
 * Usage: pnpm bench:control-plane (needs `pnpm build` and qemu-img).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3ClientFor } from '@cloud-images/test-stack';
import { Redis } from 'ioredis';
import {
  type BenchProcess,
  type BenchStack,
  type BenchTenant,
  freePorts,
  median,
  openBenchStack,
  repoPath,
  seedBenchTenant,
  spawnBenchProcess,
  spread,
} from './bench-stack.js';
import { formatTable, run } from './bench-util.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 200);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 1);
const POST_CONCURRENCY = 8;

interface Counters {
  s3: Map<string, number>;
  pg: { xact: number; inserted: number; updated: number; deleted: number; statements: number | null };
  redis: { commands: Map<string, number>; usedMemory: number };
}

interface PhaseResult {
  variant: string;
  workers: number;
  seconds: number;
  tasksPerSecond: number;
  failed: number;
  perTask: {
    s3: Map<string, number>;
    pgXact: number;
    pgRows: number;
    pgStatements: number | null;
    redisCommands: number;
    redisTop: string;
    redisBytes: number;
  };
}

async function workerS3Counts(ports: number[]): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(/^cloud_images_worker_s3_requests_total\{kind="([^"]+)"\} (\d+)/gm)) {
      totals.set(m[1]!, (totals.get(m[1]!) ?? 0) + Number(m[2]));
    }
  }
  return totals;
}

async function readCounters(bench: BenchStack, redis: Redis, healthPorts: number[]): Promise<Counters> {
  const pool = bench.database.pool;
  await pool.query('select pg_stat_force_next_flush()').catch(() => {});
  const { rows } = await pool.query(
    `select xact_commit::bigint as xact, tup_inserted::bigint as ins, tup_updated::bigint as upd,
            tup_deleted::bigint as del from pg_stat_database where datname = current_database()`,
  );
  let statements: number | null = null;
  try {
    const s = await pool.query(
      `select sum(calls)::bigint as n from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = current_database()`,
    );
    statements = Number(s.rows[0]?.n ?? 0);
  } catch {
    statements = null;
  }
  const info = await redis.info('commandstats');
  const commands = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) commands.set(m[1]!, Number(m[2]));
  const memory = /used_memory:(\d+)/.exec(await redis.info('memory'));
  const r = rows[0] as { xact: string; ins: string; upd: string; del: string };
  return {
    s3: await workerS3Counts(healthPorts),
    pg: {
      xact: Number(r.xact),
      inserted: Number(r.ins),
      updated: Number(r.upd),
      deleted: Number(r.del),
      statements,
    },
    redis: { commands, usedMemory: Number(memory?.[1] ?? 0) },
  };
}

function diffMaps(after: Map<string, number>, before: Map<string, number>, per: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) {
    const d = (v - (before.get(k) ?? 0)) / per;
    if (d > 0) out.set(k, d);
  }
  return out;
}

async function postTasks(apiPort: number, tenants: BenchTenant[], count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const body = JSON.stringify({
    type: 'import',
    input: { import_from: 'bench/empty.vhd', image_properties: { name: 'control-plane' } },
  });
  await Promise.all(
    Array.from({ length: POST_CONCURRENCY }, async () => {
      while (next < count) {
        const tenant = tenants[next++ % tenants.length]!;
        const response = await fetch(`http://127.0.0.1:${apiPort}/v2/tasks`, {
          method: 'POST',
          headers: { 'x-auth-token': tenant.token, 'content-type': 'application/json' },
          body,
        });
        if (response.status !== 201)
          throw new Error(`POST answered ${response.status}: ${await response.text()}`);
        ids.push(((await response.json()) as { id: string }).id);
      }
    }),
  );
  return ids;
}

async function runPhase(
  bench: BenchStack,
  redis: Redis,
  apiPort: number,
  tenants: BenchTenant[],
  workers: number,
  work: string,
  variant: { label: string; script: string },
): Promise<PhaseResult> {
  const ports = await freePorts(workers);
  const processes: BenchProcess[] = [];
  try {
    for (const [i, port] of ports.entries()) {
      processes.push(
        await spawnBenchProcess({
          script: variant.script,
          env: { ...bench.serviceEnv, HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' },
          logFile: join(work, `worker-${variant.label}-${workers}-${i}.log`),
          readyPath: '/readyz',
          port: port!,
          // BENCH_WORKER_CPU_PROF=DIR writes each worker's CPU profile there when it stops.
          ...(process.env.BENCH_WORKER_CPU_PROF
            ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] }
            : {}),
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1_500)); // heartbeats in, so the dispatcher sees the capacity
    const before = await readCounters(bench, redis, ports);
    const started = Date.now();
    const ids = await postTasks(apiPort, tenants, TASKS);
    const pool = bench.database.pool;
    let terminal = 0;
    let failed = 0;
    let polls = 0;
    while (terminal < ids.length) {
      polls++;
      const { rows } = await pool.query(
        `select count(*) filter (where status in ('success', 'failure'))::int as t,
                count(*) filter (where status = 'failure')::int as f from tasks where id = any($1::uuid[])`,
        [ids],
      );
      terminal = rows[0].t;
      failed = rows[0].f;
      if (Date.now() - started > 600_000)
        throw new Error(`phase ${workers}: ${terminal}/${ids.length} after 10 min`);
      if (terminal < ids.length) await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1_000)); // let statistics reach pg_stat_database
    const after = await readCounters(bench, redis, ports);
    const n = ids.length;
    const redisDiff = diffMaps(after.redis.commands, before.redis.commands, n);
    const top = [...redisDiff]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    return {
      variant: variant.label,
      workers,
      seconds,
      tasksPerSecond: n / seconds,
      failed,
      perTask: {
        s3: diffMaps(after.s3, before.s3, n),
        // The bench's own statements (its polls, and the two snapshot statements that commit) are not the system's.
        pgXact: (after.pg.xact - before.pg.xact - polls - 2) / n,
        pgRows:
          (after.pg.inserted +
            after.pg.updated +
            after.pg.deleted -
            before.pg.inserted -
            before.pg.updated -
            before.pg.deleted) /
          n,
        pgStatements:
          after.pg.statements === null || before.pg.statements === null
            ? null
            : (after.pg.statements - before.pg.statements) / n,
        redisCommands: [...redisDiff.values()].reduce((a, b) => a + b, 0),
        redisTop: top,
        redisBytes: (after.redis.usedMemory - before.redis.usedMemory) / n,
      },
    };
  } finally {
    for (const p of processes) await p.stop().catch(() => {});
  }
}

async function main(): Promise<void> {
  const bench = await openBenchStack();
  const work = mkdtempSync(join(tmpdir(), 'bench-control-'));
  const redis = new Redis(bench.info.redis.url, { maxRetriesPerRequest: null });
  let api: BenchProcess | undefined;
  try {
    const vhd = join(work, 'empty.vhd');
    run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=dynamic', vhd, '1G']);
    const tenants = [await seedBenchTenant(bench, 0), await seedBenchTenant(bench, 1)];
    for (const [i, tenant] of tenants.entries()) {
      const s3 = s3ClientFor(bench.info, bench.info.s3.tenants[i]!);
      await s3.makeBucket(`${tenant.bucketPrefix}bench`, bench.info.s3.region);
      await s3.fPutObject(`${tenant.bucketPrefix}bench`, 'empty.vhd', vhd);
    }
    const [apiPort, opsPort] = await freePorts(2);
    api = await spawnBenchProcess({
      script: repoPath('services/api/dist/main.js'),
      env: {
        ...bench.serviceEnv,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        OPS_PORT: String(opsPort),
        OPS_HOST: '127.0.0.1',
        RATE_LIMIT_POINTS: '1000000000',
      },
      logFile: join(work, 'api.log'),
      readyPath: '/readyz',
      port: apiPort!,
      readyPort: opsPort!,
    });
    const variants = [
      ...(process.env.BENCH_BEFORE_WORKER
        ? [{ label: 'before', script: process.env.BENCH_BEFORE_WORKER }]
        : []),
      { label: 'this tree', script: repoPath('services/worker/dist/main.js') },
    ];
    const results: PhaseResult[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const workers of WORKERS) {
        for (const variant of variants) {
          const result = await runPhase(bench, redis, apiPort!, tenants, workers, work, variant);
          console.error(
            `[bench] ${variant.label}, ${workers} worker(s): ${result.tasksPerSecond.toFixed(2)} tasks/s (${TASKS} tasks, ${result.failed} failed)`,
          );
          results.push(result);
        }
      }
    }
    const rows = [
      [
        'worker',
        'workers',
        'tasks/s median',
        'spread',
        'S3 req/task',
        'S3 by kind',
        'PG xact/task',
        'PG rows/task',
        'PG stmts/task',
        'Redis cmds/task',
        'Redis top',
        'Redis bytes/task',
      ],
    ];
    for (const workers of WORKERS)
      for (const variant of variants) {
        const mine = results.filter((r) => r.workers === workers && r.variant === variant.label);
        const last = mine[mine.length - 1]!;
        const s3Total = [...last.perTask.s3.values()].reduce((a, b) => a + b, 0);
        rows.push([
          variant.label,
          String(workers),
          median(mine.map((r) => r.tasksPerSecond)).toFixed(2),
          spread(mine.map((r) => r.tasksPerSecond)),
          s3Total.toFixed(1),
          [...last.perTask.s3].map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '),
          last.perTask.pgXact.toFixed(1),
          last.perTask.pgRows.toFixed(1),
          last.perTask.pgStatements === null ? 'n/a' : last.perTask.pgStatements.toFixed(1),
          last.perTask.redisCommands.toFixed(1),
          last.perTask.redisTop,
          last.perTask.redisBytes.toFixed(0),
        ]);
      }
    console.log(
      `control-plane: ${TASKS} imports per phase of a ${statSync(vhd).size}-byte dynamic VHD (1 GiB virtual), 2 tenants, ` +
        `${PAIRS} run(s) per phase, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(2)} at the end`,
    );
    console.log(formatTable(rows));
    console.log(
      'per-task figures are from the last run of each phase; failures: ' +
        results.map((r) => r.failed).join(','),
    );
  } finally {
    await api?.stop().catch(() => {});
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
    await bench.close();
  }
}

await main();
