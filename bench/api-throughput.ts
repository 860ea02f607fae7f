/**
 * Benchmark: API throughput against a bare Express 5 + pg server on the same database, same run.
 * - GET /v2/tasks/{id}: the API (auth lookup, rate limiter, logging, metrics) vs the same indexed SELECT.
 * - POST /v2/tasks: the API (auth, admission, task row; the dispatcher writes the outbox row later) vs one
 *   transaction writing a task row and an outbox row.
 * autocannon, 10 connections, BENCH_SECONDS (default 8) per measurement; BENCH_PAIRS (default 3) rounds of
 * (baseline, ours) per route, reported as median req/s and the median and spread of the per-round ratios.
 * The bench tenant's limits are raised so admission never answers 413; the rate limiter stays on with
 * RATE_LIMIT_POINTS raised so it never refuses (each request still pays its Redis round trip).
 * Extra API env for before/after comparisons: BENCH_API_ENV='{"LOG_LEVEL":"warn"}'; BENCH_ROUTES=GET|POST
 * runs one route only.
 * Usage: pnpm bench:api (needs `pnpm build`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  type BenchProcess,
  freePorts,
  median,
  openBenchStack,
  repoPath,
  seedBenchTenant,
  spawnBenchProcess,
  spread,
} from './bench-stack.js';
import { formatTable } from './bench-util.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CONNECTIONS = 10;
const RATE_LIMIT_POINTS = 1_000_000_000;

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(url: string, method: 'GET' | 'POST', token: string, body?: string): Promise<Load> {
  const result = await autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    ...(body ? { body } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const bench = await openBenchStack();
  const work = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const processes: BenchProcess[] = [];
  try {
    const tenant = await seedBenchTenant(bench, 0);
    const baselineTenant = await seedBenchTenant(bench, 1);
    const [apiPort, opsPort, basePort] = await freePorts(3);
    const extraEnv = JSON.parse(process.env.BENCH_API_ENV ?? '{}') as Record<string, string>;
    const api = await spawnBenchProcess({
      script: repoPath('services/api/dist/main.js'),
      // BENCH_API_CPU_PROF=DIR writes the API's CPU profile there when it stops.
      ...(process.env.BENCH_API_CPU_PROF
        ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_CPU_PROF}`] }
        : {}),
      env: {
        ...bench.serviceEnv,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        OPS_PORT: String(opsPort),
        OPS_HOST: '127.0.0.1',
        RATE_LIMIT_POINTS: String(RATE_LIMIT_POINTS),
        ...extraEnv,
      },
      logFile: join(work, 'api.log'),
      readyPath: '/readyz',
      port: apiPort!,
      readyPort: opsPort!,
    });
    processes.push(api);
    const baseline = await spawnBenchProcess({
      script: repoPath('bench/api-baseline-server.ts'),
      tsx: true,
      env: {
        DATABASE_URL: bench.databaseUrl,
        PORT: String(basePort),
        TENANT_ID: tenant.id,
        POST_TENANT_ID: baselineTenant.id,
        DATABASE_POOL_MAX: '10',
      },
      logFile: join(work, 'baseline.log'),
      readyPath: '/readyz',
      port: basePort!,
    });
    processes.push(baseline);

    const body = JSON.stringify({
      type: 'import',
      input: { import_from: 'bench/missing.vhd', image_properties: { name: 'bench' } },
    });
    // One task to GET, created through the API so both sides read the same row.
    const created = await fetch(`http://127.0.0.1:${apiPort}/v2/tasks`, {
      method: 'POST',
      headers: { 'x-auth-token': tenant.token, 'content-type': 'application/json' },
      body,
    });
    if (created.status !== 201)
      throw new Error(`POST /v2/tasks answered ${created.status}: ${await created.text()}`);
    const taskId = ((await created.json()) as { id: string }).id;

    const only = process.env.BENCH_ROUTES; // e.g. GET or POST
    const routes = [
      { name: 'GET /v2/tasks/{id}', method: 'GET' as const, path: `/v2/tasks/${taskId}`, body: undefined },
      { name: 'POST /v2/tasks', method: 'POST' as const, path: '/v2/tasks', body },
    ].filter((r) => !only || r.method === only);
    const rows = [
      ['route', 'side', 'median req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'ratio median', 'ratio spread'],
    ];
    for (const route of routes) {
      // Warm both (JIT, connection pools) before measuring.
      await load(`http://127.0.0.1:${basePort}${route.path}`, route.method, tenant.token, route.body);
      await load(`http://127.0.0.1:${apiPort}${route.path}`, route.method, tenant.token, route.body);
      const rounds: Array<{ base: Load; ours: Load }> = [];
      for (let i = 0; i < PAIRS; i++) {
        const base = await load(
          `http://127.0.0.1:${basePort}${route.path}`,
          route.method,
          tenant.token,
          route.body,
        );
        const ours = await load(
          `http://127.0.0.1:${apiPort}${route.path}`,
          route.method,
          tenant.token,
          route.body,
        );
        rounds.push({ base, ours });
        console.error(
          `[bench] ${route.name} round ${i + 1}: baseline ${base.requestsPerSecond.toFixed(0)} req/s, ours ${ours.requestsPerSecond.toFixed(0)} req/s`,
        );
      }
      const ratios = rounds.map((r) => r.ours.requestsPerSecond / r.base.requestsPerSecond);
      for (const side of ['base', 'ours'] as const) {
        const loads = rounds.map((r) => r[side]);
        rows.push([
          route.name,
          side === 'base' ? 'bare Express 5 + pg' : 'cloud-images API',
          median(loads.map((l) => l.requestsPerSecond)).toFixed(0),
          median(loads.map((l) => l.p50)).toFixed(1),
          median(loads.map((l) => l.p99)).toFixed(1),
          String(loads.reduce((n, l) => n + l.non2xx, 0)),
          side === 'base' ? '1.00' : median(ratios).toFixed(2),
          side === 'base' ? '' : spread(ratios),
        ]);
      }
    }
    console.log(
      `bench:api: autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, ${PAIRS} same-run rounds, ` +
        `${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(2)} at the end; ` +
        `rate limiter ON (RATE_LIMIT_POINTS=${RATE_LIMIT_POINTS}); extra API env ${JSON.stringify(extraEnv)}`,
    );
    console.log(formatTable(rows));
    console.log('ratio = ours / baseline req/s in the same round; target >= 0.70');
  } finally {
    for (const p of processes.reverse()) await p.stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
    await bench.close();
  }
}

await main();
