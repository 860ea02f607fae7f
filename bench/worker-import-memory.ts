/**
 * Benchmark: peak memory of a worker process importing a 4 GiB VHD, against a same-run baseline that copies
 * the same object with a plain S3 GET → PUT (minio putObject, same part size) in a fresh Node process.
 * Both numbers are VmHWM (peak resident set) from /proc/<pid>/status. Target: worker under 256 MiB.
 *
 * Needs the worker built (`pnpm turbo run build --filter @cloud-images/worker...`) and qemu-img.
 * Uses the stack in CLOUD_IMAGES_STACK if set, else starts a native one.
 * Usage: pnpm --filter @cloud-images/bench bench:worker-import-memory
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDatabase,
  jobIdForTask,
  secretKey as masterKey,
  QueueName,
  runMigrations,
  SecretBox,
  taskJobOptions,
  tasks,
  tenants,
} from '@cloud-images/shared';
import {
  createDatabase as createStackDatabase,
  dropDatabase,
  type RunningStack,
  type StackInfo,
  s3ClientFor,
  stackInfoFromEnv,
  startStack,
  uniqueName,
} from '@cloud-images/test-stack';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { formatTable, GiB, MiB, run } from './bench-util.js';

const workerMain = fileURLToPath(new URL('../services/worker/dist/main.js', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const PART_SIZE = 16 * MiB;
const TARGET = 256 * MiB;

/** VmHWM (peak RSS) of a live process, in bytes. */
function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for ${pid}`);
  return Number(match[1]) * 1024;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The baseline: a plain minio GET → PUT of the same object, reporting its own VmHWM before it exits. */
const BASELINE_SCRIPT = `
import { Client } from 'minio';
import { readFileSync } from 'node:fs';
const a = JSON.parse(process.env.BASELINE_ARGS);
const client = (creds) => new Client({ endPoint: a.host, port: a.port, useSSL: false, region: a.region,
  pathStyle: true, accessKey: creds.accessKey, secretKey: creds.secretKey, partSize: a.partSize });
const source = client(a.tenant);
const target = client(a.service);
const started = Date.now();
const body = await source.getObject(a.sourceBucket, a.sourceKey);
await target.putObject(a.targetBucket, a.targetKey, body, a.size);
const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1];
console.log(JSON.stringify({ seconds: (Date.now() - started) / 1000, peakRss: Number(hwm) * 1024 }));
`;

async function main(): Promise<void> {
  if (!existsSync(workerMain)) throw new Error(`build the worker first: ${workerMain} is missing`);
  let stack: RunningStack | undefined;
  let info: StackInfo | undefined = stackInfoFromEnv();
  if (!info) {
    stack = await startStack({ log: (line) => console.error(line) });
    info = stack.info;
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-worker-'));
  const dbName = uniqueName('bench').replace(/-/g, '_');
  try {
    await runBench(info, work, dbName);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await dropDatabase(info, dbName).catch(() => {});
    await stack?.stop();
  }
}

async function runBench(info: StackInfo, work: string, dbName: string): Promise<void> {
  const tenantCreds = info.s3.tenants[0]!;
  const tenantS3 = s3ClientFor(info, tenantCreds);
  const serviceS3 = s3ClientFor(info, info.s3.service);
  const prefix = `${uniqueName('b')}-`;
  const sourceBucket = `${prefix}bench`;
  const imageStoreBucket = uniqueName('bench-store');
  const baselineBucket = uniqueName('bench-baseline');

  // A 4 GiB fixed VHD, sparse on local disk, with data at the start, middle and end.
  const vhd = join(work, 'disk.vhd');
  run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=fixed,force_size=on', vhd, '4G']);
  for (const offset of ['0', '2G', '4000M'])
    run('qemu-io', ['-f', 'vpc', '-c', `write -q -P 0xab ${offset} 64M`, vhd]);
  const size = statSync(vhd).size;
  console.error(`[bench] uploading the ${(size / GiB).toFixed(2)} GiB source VHD to the tenant's container…`);
  await tenantS3.makeBucket(sourceBucket, info.s3.region);
  await tenantS3.fPutObject(sourceBucket, 'disk.vhd', vhd);
  rmSync(vhd);

  // Baseline: the same bytes through a plain GET → PUT.
  console.error('[bench] baseline: plain S3 GET → PUT copy…');
  await serviceS3.makeBucket(baselineBucket, info.s3.region);
  const baselineChild = spawn(process.execPath, ['--input-type=module', '-e', BASELINE_SCRIPT], {
    cwd: benchDir,
    env: {
      ...process.env,
      BASELINE_ARGS: JSON.stringify({
        host: info.s3.host,
        port: info.s3.port,
        region: info.s3.region,
        tenant: tenantCreds,
        service: info.s3.service,
        partSize: PART_SIZE,
        sourceBucket,
        sourceKey: 'disk.vhd',
        targetBucket: baselineBucket,
        targetKey: 'disk.vhd',
        size,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let baselineOut = '';
  baselineChild.stdout?.on('data', (chunk: Buffer) => {
    baselineOut += chunk.toString();
  });
  if ((await exited(baselineChild)) !== 0) throw new Error('baseline copy failed');
  const baseline = JSON.parse(baselineOut.trim().split('\n').pop()!) as { seconds: number; peakRss: number };
  await serviceS3.removeObject(baselineBucket, 'disk.vhd');

  // The worker: a real process from dist, fed one import task the way the API's outbox relay does.
  const databaseUrl = await createStackDatabase(info, dbName);
  await runMigrations(databaseUrl);
  const secretKey = randomBytes(32).toString('hex');
  const database = createDatabase({ url: databaseUrl, poolMax: 2 });
  await database.db.insert(tenants).values({
    id: 'bench',
    name: 'bench',
    s3Endpoint: info.s3.endpoint,
    s3AccessKey: tenantCreds.accessKey,
    s3SecretKeyEncrypted: new SecretBox([masterKey(Buffer.from(secretKey, 'hex'))]).seal(
      tenantCreds.secretKey,
      'bench',
    ),
    bucketPrefix: prefix,
  });
  const queuePrefix = uniqueName('bench-q');
  const worker = spawn(process.execPath, [workerMain], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: info.redis.url,
      QUEUE_PREFIX: queuePrefix,
      S3_ENDPOINT: info.s3.endpoint,
      S3_REGION: info.s3.region,
      S3_ACCESS_KEY: info.s3.service.accessKey,
      S3_SECRET_KEY: info.s3.service.secretKey,
      S3_PART_SIZE: String(PART_SIZE),
      IMAGE_STORE_BUCKET: imageStoreBucket,
      TENANT_SECRET_KEY: secretKey,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const workerExit = exited(worker);
  const redis = new Redis(info.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueName.import, { connection: redis, prefix: queuePrefix });
  try {
    await new Promise((r) => setTimeout(r, 3_000)); // let it connect and settle before reading its idle RSS
    const idleRss = peakRss(worker.pid!);
    const taskId = randomUUID();
    await database.db.insert(tasks).values({
      id: taskId,
      tenantId: 'bench',
      type: 'import',
      input: { import_from: 'bench/disk.vhd', image_properties: { name: 'bench' } },
    });
    console.error('[bench] worker: importing through the worker process…');
    const started = Date.now();
    await queue.add('import', { taskId }, { ...taskJobOptions, jobId: jobIdForTask(taskId) });
    let task = (await database.db.select().from(tasks).where(eq(tasks.id, taskId)))[0]!;
    while (task.status !== 'success' && task.status !== 'failure') {
      await new Promise((r) => setTimeout(r, 250));
      task = (await database.db.select().from(tasks).where(eq(tasks.id, taskId)))[0]!;
    }
    const seconds = (Date.now() - started) / 1000;
    if (task.status !== 'success') throw new Error(`import failed: ${task.message} (${task.lastError})`);
    const workerPeak = peakRss(worker.pid!);

    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    const rate = (s: number) => `${(size / 1e6 / s).toFixed(0)} MB/s`;
    console.log(`worker import of a ${(size / GiB).toFixed(2)} GiB VHD (S3 part size ${mib(PART_SIZE)})`);
    console.log(
      formatTable([
        ['process', 'peak RSS (VmHWM)', 'seconds', 'throughput'],
        [
          'baseline: plain S3 GET → PUT copy',
          mib(baseline.peakRss),
          baseline.seconds.toFixed(1),
          rate(baseline.seconds),
        ],
        ['worker: validate + hash + multipart PUT', mib(workerPeak), seconds.toFixed(1), rate(seconds)],
        ['worker idle, before the job', mib(idleRss), '', ''],
      ]),
    );
    console.log(`target: worker peak RSS < ${mib(TARGET)} → ${workerPeak < TARGET ? 'MET' : 'MISSED'}`);
    const imageId = (task.result as { image_id: string }).image_id;
    await serviceS3.removeObject(imageStoreBucket, `images/${imageId}.vhd`);
  } finally {
    worker.kill('SIGTERM');
    await workerExit;
    await queue.close();
    redis.disconnect();
    await database.close();
    await tenantS3.removeObject(sourceBucket, 'disk.vhd').catch(() => {});
  }
}

await main();
