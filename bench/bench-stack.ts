/**
 * Shared set-up for the benches that run the real services: a native stack (or the one in
 * CLOUD_IMAGES_STACK), a migrated database of their own, a tenant with raised limits and an API token,
 * and spawning built services with their output going to a file (as a container runtime would), not
 * through a pipe the bench has to read.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createDatabase,
  type DatabaseHandle,
  generateApiToken,
  hashApiToken,
  runMigrations,
  SecretBox,
  secretKey,
} from '@cloud-images/shared';
import {
  createDatabase as createStackDatabase,
  dropDatabase,
  freePorts,
  type RunningStack,
  type StackInfo,
  stackInfoFromEnv,
  startStack,
  uniqueName,
} from '@cloud-images/test-stack';

export interface BenchStack {
  info: StackInfo;
  databaseUrl: string;
  database: DatabaseHandle;
  secretKey: string;
  queuePrefix: string;
  imageStoreBucket: string;
  /** Env every service of this bench shares. */
  serviceEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function openBenchStack(): Promise<BenchStack> {
  let stack: RunningStack | undefined;
  let info = stackInfoFromEnv();
  if (!info) {
    stack = await startStack({ log: (line) => console.error(line) });
    info = stack.info;
  }
  const dbName = uniqueName('bench').replace(/-/g, '_');
  const databaseUrl = await createStackDatabase(info, dbName);
  await runMigrations(databaseUrl);
  const database = createDatabase({ url: databaseUrl, poolMax: 4 });
  const secretKey = randomBytes(32).toString('hex');
  const queuePrefix = uniqueName('bench-q');
  const imageStoreBucket = uniqueName('bench-store');
  const serviceEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: info.redis.url,
    QUEUE_PREFIX: queuePrefix,
    S3_ENDPOINT: info.s3.endpoint,
    S3_REGION: info.s3.region,
    S3_ACCESS_KEY: info.s3.service.accessKey,
    S3_SECRET_KEY: info.s3.service.secretKey,
    IMAGE_STORE_BUCKET: imageStoreBucket,
    TENANT_SECRET_KEY: secretKey,
  };
  const stackInfo = info;
  return {
    info,
    databaseUrl,
    database,
    secretKey,
    queuePrefix,
    imageStoreBucket,
    serviceEnv,
    async close() {
      await database.close().catch(() => {});
      await dropDatabase(stackInfo, dbName).catch(() => {});
      await stack?.stop();
    },
  };
}

export interface BenchTenant {
  id: string;
  token: string;
  bucketPrefix: string;
}

/** A tenant with its object-store account `index`, limits raised so admission never refuses, and a creator token. */
export async function seedBenchTenant(bench: BenchStack, index: number): Promise<BenchTenant> {
  const creds = bench.info.s3.tenants[index]!;
  const id = String(10_000_000 + index);
  const bucketPrefix = `${uniqueName('b')}-`;
  const token = generateApiToken();
  const pool = bench.database.pool;
  await pool.query(
    `insert into tenants (id, name, s3_endpoint, s3_access_key, s3_secret_key_encrypted, bucket_prefix,
       max_active_tasks, max_pending_tasks, max_images, max_image_bytes)
     values ($1, $2, $3, $4, $5, $6, 1000000, 100000000, 100000000, 1000000000000000)`,
    [
      id,
      `bench-${index}`,
      bench.info.s3.endpoint,
      creds.accessKey,
      new SecretBox([secretKey(Buffer.from(bench.secretKey, 'hex'))]).seal(creds.secretKey, id),
      bucketPrefix,
    ],
  );
  await pool.query(`insert into api_tokens (tenant_id, token_hash, role) values ($1, $2, 'creator')`, [
    id,
    hashApiToken(token),
  ]);
  return { id, token, bucketPrefix };
}

export interface BenchProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `node [--import tsx] <script>` with `env`, its output appended to `logFile`, and waits for GET
 * `readyPath` on `readyPort` (default `port`) to answer 200.
 */
export async function spawnBenchProcess(options: {
  script: string;
  /** Run a .ts script through tsx (the bench's own servers have no build). */
  tsx?: boolean;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env: Record<string, string>;
  logFile: string;
  readyPath: string;
  port: number;
  readyPort?: number;
}): Promise<BenchProcess> {
  const out = openSync(options.logFile, 'a');
  const args = [...(options.nodeArgs ?? []), ...(options.tsx ? ['--import', 'tsx'] : []), options.script];
  const child = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  const readyUrl = `http://127.0.0.1:${options.readyPort ?? options.port}${options.readyPath}`;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${options.script} exited ${child.exitCode}; see ${options.logFile}`);
    try {
      if ((await fetch(readyUrl)).status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.script} not ready in 30 s; see ${options.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port: options.port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const repoPath = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));
export { freePorts };

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: number[], digits = 2): string {
  return `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
}
