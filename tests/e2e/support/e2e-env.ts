import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CommandRun,
  createIsolatedDatabase,
  type IsolatedDatabase,
  runCommand,
  type S3Credentials,
  type ServiceName,
  type ServiceProcess,
  type StackInfo,
  s3ClientFor,
  spawnService,
  uniqueName,
} from '@cloud-images/test-stack';
import type { Client } from 'minio';
import { inject } from 'vitest';
import { ApiClient } from './api-client.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ADMIN_CLI = `${repoRoot}services/api/dist/admin/cli.js`;

/** One tenant as a user sees it: an API token, and S3 credentials of its own Swift account. */
export class Tenant {
  readonly s3: Client;

  constructor(
    readonly id: string,
    readonly api: ApiClient,
    readonly bucketPrefix: string,
    readonly creds: S3Credentials,
    private readonly stack: StackInfo,
  ) {
    this.s3 = s3ClientFor(stack, creds);
  }

  /** The bucket behind container `container` (the tenant's bucket prefix + the container name). */
  bucketFor(container: string): string {
    return `${this.bucketPrefix}${container}`;
  }

  async createContainer(container: string): Promise<string> {
    await this.s3.makeBucket(this.bucketFor(container), this.stack.s3.region);
    return container;
  }

  async upload(container: string, object: string, path: string): Promise<string> {
    await this.s3.fPutObject(this.bucketFor(container), object, path);
    return `${container}/${object}`;
  }

  async download(container: string, object: string, path: string): Promise<string> {
    await this.s3.fGetObject(this.bucketFor(container), object, path);
    return path;
  }
}

export interface E2eOptions {
  /** Extra worker environment, e.g. `MAX_VIRTUAL_SIZE_BYTES`; every later worker (restart, start) keeps it. */
  worker?: Record<string, string>;
  /** Extra API environment, e.g. a rate limit that fits a test's burst. */
  api?: Record<string, string>;
  /** A private Redis (test-stack's startRedis) for files that stop or restart it; default the stack's. */
  redisUrl?: string;
}

/**
 * Everything one test file runs against: its own database, queue prefix, image-store bucket and tenant secret key
 * on the shared stack; the real built API and worker as child processes; tenants A and B (stack tenants 0 and 1,
 * separate Swift accounts) made with the real admin CLI, each with a creator token and its own bucket prefix.
 */
export class E2eEnv {
  private worker: ServiceProcess;
  private workerIndex = 0;
  /** Set by killWorker until startWorker: the current worker died on purpose, so stop() does not report it. */
  private workerKilled = false;

  private constructor(
    readonly stack: StackInfo,
    private readonly database: IsolatedDatabase,
    readonly env: Record<string, string>,
    private readonly api: ServiceProcess,
    worker: ServiceProcess,
    private readonly workerOverrides: Record<string, string>,
    readonly apiUrl: string,
    readonly tenantA: Tenant,
    readonly tenantB: Tenant,
  ) {
    this.worker = worker;
  }

  static async start(options: E2eOptions = {}): Promise<E2eEnv> {
    const stack = inject('stack');
    const database = await createIsolatedDatabase(stack, inject('templateDatabase'));
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '4',
      REDIS_URL: options.redisUrl ?? stack.redis.url,
      QUEUE_PREFIX: uniqueName('e2e'),
      S3_ENDPOINT: stack.s3.endpoint,
      S3_REGION: stack.s3.region,
      S3_ACCESS_KEY: stack.s3.service.accessKey,
      S3_SECRET_KEY: stack.s3.service.secretKey,
      S3_PART_SIZE: String(8 * 1024 * 1024),
      IMAGE_STORE_BUCKET: uniqueName('e2e-store'),
      TENANT_SECRET_KEY: randomBytes(32).toString('hex'),
      // info: the services log their listening ports, which is how the harness finds them.
      LOG_LEVEL: 'info',
    };
    const fileTag = uniqueName('e2e');
    // Both start at once; if one fails, the other must not outlive this file.
    const started = await Promise.allSettled([
      startService('worker', `${fileTag}-worker-0`, workerEnv(env, options.worker)),
      startService('api', `${fileTag}-api`, {
        ...env,
        PORT: '0',
        OPS_PORT: '0',
        HOST: '127.0.0.1',
        SHUTDOWN_TIMEOUT_MS: '2000',
        // Tests poll tasks fast; the noisy-neighbour file raises it further for its burst.
        RATE_LIMIT_POINTS: '10000',
        ...options.api,
      }),
    ]);
    const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      const [worker, api] = started.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      }) as [ServiceProcess, ServiceProcess];
      const apiUrl = `http://127.0.0.1:${api.port}`;

      const tenants: Tenant[] = [];
      for (const [index, label] of ['a', 'b'].entries()) {
        tenants.push(await createTenant(stack, env, apiUrl, index, label));
      }
      return new E2eEnv(
        stack,
        database,
        env,
        api,
        worker,
        options.worker ?? {},
        apiUrl,
        tenants[0]!,
        tenants[1]!,
      );
    } catch (error) {
      await Promise.all(processes.map((p) => p.stop()));
      await database.drop().catch(() => {});
      throw error;
    }
  }

  /**
   * One more tenant (beyond A and B), made like them with the real admin CLI, on the stack's S3 account `index`
   * (2 or 3: 0 and 1 are A's and B's).
   */
  addTenant(label: string, index: number): Promise<Tenant> {
    return createTenant(this.stack, this.env, this.apiUrl, index, label);
  }

  /** Runs the real admin CLI against this file's database and parses its JSON output. */
  admin<T>(args: string[], options?: AdminRunOptions): Promise<T> {
    return admin<T>(this.env, args, options);
  }

  /** Runs the real admin CLI against this file's database; the exit code and output, whatever they are. */
  runAdmin(args: string[], options?: AdminRunOptions): Promise<AdminRun> {
    return runAdmin(this.env, args, options);
  }

  /**
   * Starts one more worker process (same environment as the first), for tests that need several. The caller
   * owns it: stop or kill it before `stop()`.
   */
  spawnExtraWorker(name: string, overrides: Record<string, string> = {}): Promise<ServiceProcess> {
    return startService(
      'worker',
      `${this.worker.name}-${name}`,
      workerEnv(this.env, { ...this.workerOverrides, ...overrides }),
    );
  }

  /** The API process (its ports: `port` tenant, `opsPort` ops listener; its log). */
  get apiProcess(): ServiceProcess {
    return this.api;
  }

  /** The running worker process (its pid, its log). */
  get workerProcess(): ServiceProcess {
    return this.worker;
  }

  /**
   * Replaces the worker process by one with `overrides` on top of the `E2eEnv.start` worker environment (same queue
   * prefix and database), after a graceful stop.
   */
  async restartWorker(overrides: Record<string, string> = {}): Promise<void> {
    const stopped = await this.worker.stop();
    if (stopped.code !== 0)
      throw new Error(`worker exited with ${JSON.stringify(stopped)}:\n${this.worker.log.text}`);
    await this.startWorker(overrides);
  }

  /**
   * SIGKILLs the worker, as a crash would: no shutdown code runs, its job stays locked in Redis, its upload unfinished.
   * No worker runs until `startWorker`.
   */
  async killWorker(): Promise<void> {
    const exit = await this.worker.kill('SIGKILL');
    if (exit.signal !== 'SIGKILL')
      throw new Error(
        `worker exited with ${JSON.stringify(exit)} before the SIGKILL:\n${this.worker.log.text}`,
      );
    this.workerKilled = true;
  }

  /**
   * Stops the worker gracefully (it removes its heartbeat row, so the dispatcher sees no capacity). No worker runs
   * until `startWorker`.
   */
  async stopWorker(): Promise<void> {
    const stopped = await this.worker.stop();
    if (stopped.code !== 0)
      throw new Error(`worker exited with ${JSON.stringify(stopped)}:\n${this.worker.log.text}`);
  }

  /** Starts a new worker process (after `killWorker` or `stopWorker`) with the start environment plus `overrides`; waits for ready. */
  async startWorker(overrides: Record<string, string> = {}): Promise<void> {
    if (this.worker.running) throw new Error(`${this.worker.name} is still running`);
    this.workerIndex += 1;
    const name = this.worker.name.replace(/-\d+$/, `-${this.workerIndex}`);
    this.worker = await startService(
      'worker',
      name,
      workerEnv(this.env, { ...this.workerOverrides, ...overrides }),
    );
    this.workerKilled = false;
  }

  /** Stops both services (SIGTERM, SIGKILL after 15 s) and drops the database. Reports unclean exits. */
  async stop(): Promise<void> {
    const [api, worker] = await Promise.all([this.api.stop(), this.worker.stop()]);
    await this.database.drop();
    const unclean = [
      ['api', api, this.api],
      ...(this.workerKilled ? [] : ([['worker', worker, this.worker]] as const)),
    ] as const;
    for (const [name, exit, service] of unclean) {
      if (exit.code !== 0)
        throw new Error(`${name} exited with ${JSON.stringify(exit)}:\n${service.log.text}`);
    }
  }
}

/** A tenant on the stack's S3 account `index`, with its own bucket prefix and a creator token. */
async function createTenant(
  stack: StackInfo,
  env: Record<string, string>,
  apiUrl: string,
  index: number,
  label: string,
): Promise<Tenant> {
  const creds = stack.s3.tenants[index];
  if (!creds) throw new Error(`the stack has no tenant ${index}`);
  const bucketPrefix = `${uniqueName(`t${label}`)}-`;
  const tenant = await admin<{ id: string }>(
    env,
    [
      'tenant',
      'create',
      '--name',
      `e2e tenant ${label.toUpperCase()}`,
      '--s3-access-key',
      creds.accessKey,
      '--s3-endpoint',
      stack.s3.endpoint,
      '--bucket-prefix',
      bucketPrefix,
    ],
    // The secret goes through the environment variable the CLI documents, never argv.
    { env: { TENANT_S3_SECRET_KEY: creds.secretKey } },
  );
  const token = await admin<{ token: string }>(env, [
    'token',
    'create',
    '--tenant',
    tenant.id,
    '--role',
    'creator',
  ]);
  return new Tenant(tenant.id, new ApiClient(apiUrl, token.token), bucketPrefix, creds, stack);
}

function workerEnv(
  env: Record<string, string>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return { ...env, HEALTH_PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000', ...overrides };
}

/**
 * The built service (`node services/<service>/dist/main.js`) with exactly `env`, ready once its logged port answers
 * /readyz. With `E2E_LOG_DIR` set, its output is also written to `<dir>/<name>.log`.
 */
function startService(
  service: ServiceName,
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const logDir = process.env['E2E_LOG_DIR'];
  return spawnService({ service, name, env, logFile: logDir ? join(logDir, `${name}.log`) : undefined });
}

/** What one admin CLI run got: exit code and output, as an operator would see them. */
export type AdminRun = CommandRun;

/** Extra environment for one admin CLI run (overrides, '' unsets) and what it reads on stdin. */
export interface AdminRunOptions {
  env?: Record<string, string>;
  stdin?: string;
}

/**
 * Runs the real admin CLI (`cloud-images-admin`) with this file's database and master key, S3_ENDPOINT/S3_REGION
 * (for `tenant update`'s credential check) and `options`; never rejects.
 */
export function runAdmin(
  env: Record<string, string>,
  args: string[],
  options: AdminRunOptions = {},
): Promise<AdminRun> {
  return runCommand(process.execPath, [ADMIN_CLI, ...args], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      DATABASE_URL: env['DATABASE_URL']!,
      TENANT_SECRET_KEY: env['TENANT_SECRET_KEY']!,
      S3_ENDPOINT: env['S3_ENDPOINT']!,
      S3_REGION: env['S3_REGION']!,
      ...options.env,
    },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

/** Runs the real admin CLI and parses its JSON output; throws on a non-zero exit. */
async function admin<T>(env: Record<string, string>, args: string[], options?: AdminRunOptions): Promise<T> {
  const result = await runAdmin(env, args, options);
  if (result.code !== 0) {
    throw new Error(
      `cloud-images-admin ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout) as T;
}
