import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createObjectStoreFactory, defaultObjectStoreTimeouts, runMigrations } from '@cloud-images/shared';
import {
  createDatabase,
  type RunningStack,
  type ServiceProcess,
  s3ClientFor,
  spawnService,
  startRedis,
  startStack,
} from '@cloud-images/test-stack';
import { TaskApi } from './api-client.js';
import type { BenchTenant, LoadSystem } from './system.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_CLI = `${repoRoot}services/api/dist/admin/cli.js`;

/**
 * Recovery timers of the owned system: short, so a chaos event is recovered from in seconds rather than the
 * production half-minute (docs/fair-dispatch.md gives those). The same ones tests/e2e's restart tests use.
 */
export const OWNED_RECOVERY_SETTINGS = {
  TASK_HEARTBEAT_TIMEOUT_MS: '5000',
  RECOVERY_INTERVAL_MS: '1000',
  PENDING_RECONCILE_AFTER_SECONDS: '5',
  WORKER_HEARTBEAT_TTL_MS: '4000',
} as const;
const WORKER_SETTINGS = {
  ...OWNED_RECOVERY_SETTINGS,
  WORKER_HEARTBEAT_INTERVAL_MS: '1000',
  JOB_LOCK_DURATION_MS: '10000',
  JOB_STALLED_INTERVAL_MS: '2000',
  HEALTH_PORT: '0',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

export interface OwnedSystemOptions {
  tenants: number;
  /** Per-tenant max-active (tasks handed to the workers at once). */
  maxActive: number;
  log: (line: string) => void;
}

/**
 * Starts everything on this machine: the native stack (Postgres, Swift S3), a private Redis with appendonly yes,
 * the built API and workers, and the bench tenants (real admin CLI), with admission limits raised so no POST is
 * answered 413.
 */
export async function startOwnedSystem(options: OwnedSystemOptions): Promise<LoadSystem> {
  const { log } = options;
  const stack: RunningStack = await startStack({ mode: 'native', tenants: options.tenants, log });
  const cleanups: (() => Promise<unknown>)[] = [() => stack.stop()];
  const workers: ServiceProcess[] = [];
  let api: ServiceProcess | undefined;
  const close = async () => {
    await Promise.allSettled([...workers.map((w) => w.stop(10_000)), api?.stop(10_000)]);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const info = stack.info;
    const redis = await startRedis({ appendOnly: true });
    cleanups.push(() => redis.destroy());
    const databaseUrl = await createDatabase(info, 'cloud_images_load');
    await runMigrations(databaseUrl);
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '4',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'load',
      S3_ENDPOINT: info.s3.endpoint,
      S3_REGION: info.s3.region,
      S3_ACCESS_KEY: info.s3.service.accessKey,
      S3_SECRET_KEY: info.s3.service.secretKey,
      S3_PART_SIZE: String(8 * 1024 * 1024),
      IMAGE_STORE_BUCKET: 'load-image-store',
      TENANT_SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
    };
    api = await spawnService({
      service: 'api',
      name: 'load-api',
      env: {
        ...env,
        ...OWNED_RECOVERY_SETTINGS,
        PORT: '0',
        OPS_PORT: '0',
        HOST: '127.0.0.1',
        SHUTDOWN_TIMEOUT_MS: '2000',
        // The harness polls and samples fast; the limiter stays on but never binds (the report says so).
        RATE_LIMIT_POINTS: '1000000',
        // The image-store sweep at its shortest ages: an upload left by a job BullMQ failed as stalled (no worker
        // code runs to abort it) is aborted within the audit's wait instead of a day later.
        MAINTENANCE_INTERVAL_MS: '5000',
        STALE_UPLOAD_MAX_AGE_SECONDS: '60',
        ORPHAN_SWEEP_GRACE_SECONDS: '60',
      },
    });
    const apiUrl = `http://127.0.0.1:${api.port}`;
    let started = 0;
    const startWorker = async () => {
      started += 1;
      const worker = await spawnService({
        service: 'worker',
        name: `load-worker-${started}`,
        env: { ...env, ...WORKER_SETTINGS },
      });
      workers.push(worker);
      void worker.exited.then(() => {
        const index = workers.indexOf(worker);
        if (index >= 0) workers.splice(index, 1);
      });
    };
    await startWorker();

    const tenants: BenchTenant[] = [];
    for (const [index, creds] of info.s3.tenants.slice(0, options.tenants).entries()) {
      const bucketPrefix = `load${index + 1}-`;
      const tenant = await admin<{ id: string }>(
        env,
        [
          'tenant',
          'create',
          '--name',
          `load tenant ${index + 1}`,
          '--s3-access-key',
          creds.accessKey,
          '--s3-endpoint',
          info.s3.endpoint,
          '--bucket-prefix',
          bucketPrefix,
        ],
        { TENANT_S3_SECRET_KEY: creds.secretKey },
      );
      // Admission never answers 413 in a bench: pending, images and bytes are raised far above any run.
      await admin(env, [
        'tenant',
        'update',
        tenant.id,
        '--max-active',
        String(options.maxActive),
        '--max-pending',
        '100000',
        '--max-images',
        '100000',
        '--max-image-bytes',
        String(2 ** 50),
      ]);
      const token = await admin<{ token: string }>(env, [
        'token',
        'create',
        '--tenant',
        tenant.id,
        '--role',
        'creator',
      ]);
      tenants.push({
        label: `tenant${index + 1}`,
        api: new TaskApi(apiUrl, token.token),
        s3: s3ClientFor(info, creds),
        store: createObjectStoreFactory(defaultObjectStoreTimeouts)({
          endpoint: info.s3.endpoint,
          region: info.s3.region,
          ...creds,
        }),
        bucketPrefix,
        region: info.s3.region,
      });
    }

    const killOne = async (random: () => number) => {
      const victim = workers[Math.floor(random() * workers.length)];
      if (!victim) return;
      await victim.kill('SIGKILL');
      await startWorker();
    };
    return {
      mode: 'owned',
      apiUrl,
      tenants,
      databaseUrl,
      redisUrl: redis.url,
      imageStore: {
        endpoint: info.s3.endpoint,
        region: info.s3.region,
        accessKey: info.s3.service.accessKey,
        secretKey: info.s3.service.secretKey,
        bucket: env.IMAGE_STORE_BUCKET!,
      },
      // Fresh processes each phase: every phase starts from the same warm-up, and its peak RSS is its own.
      async setWorkers(count: number) {
        await Promise.all([...workers].map((w) => w.stop(15_000)));
        await Promise.all(Array.from({ length: count }, () => startWorker()));
      },
      workerPids: () => workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid])),
      chaos: {
        killRandomWorker: killOne,
        async restartRedis(keepData: boolean) {
          await redis.kill({ keepData });
          await redis.start();
        },
        restartPostgres: () => stack.restart!('postgres'),
        restartS3: () => stack.restart!('s3'),
      },
      describe: () => ({
        mode: 'owned',
        versions: info.versions,
        redis: 'private redis-server, appendonly yes, appendfsync everysec',
        recoverySettings: WORKER_SETTINGS,
        rateLimiter: 'on, RATE_LIMIT_POINTS=1000000 per 10 s (never binds)',
        imageStoreSweep: 'every 5 s; uploads and unclaimed objects older than 60 s',
        tenantLimits: { maxActive: options.maxActive, maxPending: 100000, maxImages: 100000 },
      }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs the real admin CLI (cloud-images-admin) and parses its JSON output. */
async function admin<T>(
  env: Record<string, string>,
  args: string[],
  // Secrets reach the CLI through the environment it documents (TENANT_S3_SECRET_KEY), never argv.
  secretEnv: Record<string, string> = {},
): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, [ADMIN_CLI, ...args], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        DATABASE_URL: env['DATABASE_URL']!,
        TENANT_SECRET_KEY: env['TENANT_SECRET_KEY']!,
        ...secretEnv,
      },
    });
    return JSON.parse(stdout) as T;
  } catch (error) {
    const detail = error as { stderr?: string; code?: number };
    throw new Error(
      `cloud-images-admin ${args.slice(0, 2).join(' ')} failed (${detail.code}): ${detail.stderr}`,
    );
  }
}
