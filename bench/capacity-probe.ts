/**
 * Capacity probes for the scale model (docs/scaling.md): how many requests per second each shared component of
 * the stack in CLOUD_IMAGES_STACK answers on this machine, with the same 10-way concurrency as bench:api.
 * Postgres: pgbench (select-only and the simple-update TPC-B variant); Redis: redis-benchmark; S3: HEAD, a
 * 512-byte ranged GET and a 4 KiB PUT with the minio client, as the worker makes them.
 * Usage: pnpm stack run -- pnpm --filter @cloud-images/bench bench:capacity-probe
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { databaseUrl, s3ClientFor, stackInfoFromEnv } from '@cloud-images/test-stack';
import { formatTable } from './bench-util.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = 10;

function runTool(command: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function rate(work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await work();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function main(): Promise<void> {
  const info = stackInfoFromEnv();
  if (!info) throw new Error('run under `pnpm stack run --`');
  const rows = [['component', 'operation', 'per second']];
  const pgUrl = databaseUrl(info, 'postgres');
  runTool('pgbench', ['-i', '-q', '-s', '1', pgUrl]);
  for (const [name, flags] of [
    ['select-only (-S)', ['-S']],
    ['simple update (-N: 1 UPDATE + 1 SELECT + 1 INSERT per tx)', ['-N']],
  ] as const) {
    const out = runTool('pgbench', [
      ...flags,
      '-c',
      String(CONCURRENCY),
      '-j',
      '2',
      '-T',
      String(SECONDS),
      pgUrl,
    ]);
    const tps = /tps = ([\d.]+)/.exec(out)?.[1] ?? '?';
    rows.push(['Postgres', `pgbench ${name}, transactions`, Number(tps).toFixed(0)]);
  }
  const redisOut = runTool('redis-benchmark', [
    '-h',
    info.redis.host,
    '-p',
    String(info.redis.port),
    '-c',
    String(CONCURRENCY),
    '-n',
    '100000',
    '-q',
    '-t',
    'set,get,lpush,zadd,hset',
  ]);
  for (const m of redisOut.matchAll(/^(\w+)[^:]*: ([\d.]+) requests per second/gm)) {
    rows.push(['Redis', `redis-benchmark ${m[1]}`, Number(m[2]).toFixed(0)]);
  }
  const s3 = s3ClientFor(info, info.s3.service);
  const bucket = `capacity-${Date.now()}`;
  await s3.makeBucket(bucket, info.s3.region);
  const body = randomBytes(4096);
  await s3.putObject(bucket, 'probe', body, body.length);
  rows.push([
    'S3 (Swift s3api)',
    'HEAD object',
    (await rate(() => s3.statObject(bucket, 'probe'))).toFixed(0),
  ]);
  rows.push([
    'S3 (Swift s3api)',
    'GET 512-byte range',
    (
      await rate(async () => {
        const stream = await s3.getPartialObject(bucket, 'probe', 0, 512);
        for await (const _ of stream);
      })
    ).toFixed(0),
  ]);
  let n = 0;
  rows.push([
    'S3 (Swift s3api)',
    'PUT 4 KiB object',
    (await rate(() => s3.putObject(bucket, `put-${n++}`, body, body.length))).toFixed(0),
  ]);
  console.log(
    `capacity-probe: ${CONCURRENCY} concurrent clients, ${SECONDS} s each, ${availableParallelism()} CPUs, ` +
      `load average ${loadavg()[0]!.toFixed(2)} at the end`,
  );
  console.log(formatTable(rows));
}

await main();
