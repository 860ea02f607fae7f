import { randomBytes, randomUUID } from 'node:crypto';
import {
  createDatabase,
  createLogger,
  createObjectStoreFactory,
  createRedisConnection,
  type DatabaseHandle,
  defaultObjectStoreTimeouts,
  jobIdForTask,
  parseConfig,
  QueueName,
  SecretBox,
  secretKey,
  type TaskRow,
  taskJobOptions,
  tasks,
  tenants,
} from '@cloud-images/shared';
import {
  createIsolatedDatabase,
  type IsolatedDatabase,
  type S3Credentials,
  type ServiceProcess,
  type StackInfo,
  s3ClientFor,
  seedTenant,
  spawnService,
  uniqueName,
} from '@cloud-images/test-stack';
import { type JobsOptions, Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Client } from 'minio';
import { inject } from 'vitest';
import { type WorkerConfig, workerConfigSchema } from '../../src/config.js';
import { startWorkerApp, type WorkerApp } from '../../src/worker-app.js';

export const TENANT_ID = '00000123';

/**
 * Everything one test file needs: its own database, queue prefix, image-store bucket and tenant bucket prefix
 * on the shared real stack, a tenant row holding real (sealed) credentials of a Swift account, and helpers to
 * submit tasks the way the API's outbox relay does (task row, then a job with jobIdForTask + taskJobOptions).
 */
export class WorkerTestEnv {
  readonly queues: Record<'import' | 'export', Queue>;
  private readonly apps: WorkerApp[] = [];
  private readonly processes: ServiceProcess[] = [];

  private constructor(
    readonly stack: StackInfo,
    readonly database: IsolatedDatabase,
    readonly handle: DatabaseHandle,
    readonly env: Record<string, string>,
    readonly tenantS3: Client,
    readonly serviceS3: Client,
    readonly bucketPrefix: string,
    private readonly redis: Redis,
    readonly tenantCreds: S3Credentials,
  ) {
    const connection = redis;
    const prefix = env['QUEUE_PREFIX']!;
    this.queues = {
      import: new Queue(QueueName.import, { connection, prefix }),
      export: new Queue(QueueName.export, { connection, prefix }),
    };
  }

  static async create(tenantIndex = 0): Promise<WorkerTestEnv> {
    const stack = inject('stack');
    const database = await createIsolatedDatabase(stack, inject('templateDatabase'));
    const handle = createDatabase({ url: database.url, poolMax: 4 });
    const masterKey = randomBytes(32).toString('hex');
    const creds = stack.s3.tenants[tenantIndex]!;
    const bucketPrefix = `${uniqueName('t')}-`;
    const box = new SecretBox([secretKey(Buffer.from(masterKey, 'hex'))]);
    await seedTenant(handle.pool, {
      id: TENANT_ID,
      name: 'worker-test-tenant',
      s3Endpoint: stack.s3.endpoint,
      credentials: creds,
      seal: (secret, tenantId) => box.seal(secret, tenantId),
      bucketPrefix,
    });
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '4',
      REDIS_URL: stack.redis.url,
      QUEUE_PREFIX: uniqueName('q'),
      S3_ENDPOINT: stack.s3.endpoint,
      S3_REGION: stack.s3.region,
      S3_ACCESS_KEY: stack.s3.service.accessKey,
      S3_SECRET_KEY: stack.s3.service.secretKey,
      S3_PART_SIZE: String(8 * 1024 * 1024),
      IMAGE_STORE_BUCKET: uniqueName('store'),
      TENANT_SECRET_KEY: masterKey,
      PROGRESS_INTERVAL_MS: '200',
      JOB_LOCK_DURATION_MS: '10000',
      JOB_STALLED_INTERVAL_MS: '3000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      HEALTH_PORT: '0',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    };
    return new WorkerTestEnv(
      stack,
      database,
      handle,
      env,
      s3ClientFor(stack, creds),
      s3ClientFor(stack, stack.s3.service),
      bucketPrefix,
      createRedisConnection(stack.redis.url, 'worker'),
      creds,
    );
  }

  /** Seals `secret` with this file's TENANT_SECRET_KEY, as the admin CLI stores tenants' S3 secrets. */
  seal(secret: string, tenantId = TENANT_ID): string {
    return new SecretBox([secretKey(Buffer.from(this.env['TENANT_SECRET_KEY']!, 'hex'))]).seal(
      secret,
      tenantId,
    );
  }

  /** Replaces the tenant's stored S3 secret (sealed as the API would); returns a function that restores it. */
  setTenantSecret(secret: string): Promise<() => Promise<void>> {
    return this.patchTenant({ s3SecretKeyEncrypted: this.seal(secret) });
  }

  /** Overwrites columns of the tenant's row; returns a function that puts the old values back. */
  async patchTenant(
    patch: Partial<Pick<typeof tenants.$inferInsert, 's3SecretKeyEncrypted' | 's3Endpoint'>>,
  ): Promise<() => Promise<void>> {
    const [before] = await this.handle.db.select().from(tenants).where(eq(tenants.id, TENANT_ID));
    await this.handle.db.update(tenants).set(patch).where(eq(tenants.id, TENANT_ID));
    return async () => {
      await this.handle.db
        .update(tenants)
        .set({ s3SecretKeyEncrypted: before!.s3SecretKeyEncrypted, s3Endpoint: before!.s3Endpoint })
        .where(eq(tenants.id, TENANT_ID));
    };
  }

  get imageStoreBucket(): string {
    return this.env['IMAGE_STORE_BUCKET']!;
  }

  config(overrides: Record<string, string> = {}): WorkerConfig {
    return parseConfig(workerConfigSchema, { ...this.env, ...overrides });
  }

  /** An in-process worker with this file's config. */
  async startWorker(overrides: Record<string, string> = {}): Promise<WorkerApp> {
    const config = this.config(overrides);
    const app = await startWorkerApp(config, createLogger({ name: 'worker-test', level: config.LOG_LEVEL }));
    this.apps.push(app);
    return app;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.stop()));
    await Promise.all(this.processes.splice(0).map((worker) => worker.ensureStopped()));
  }

  /**
   * The real worker entry point (src/main.ts through tsx) as a child process with this file's config, for kill
   * and signal tests; ready once its /readyz answers. `dispose()` kills any still running.
   */
  async startWorkerProcess(overrides: Record<string, string> = {}): Promise<ServiceProcess> {
    const worker = await spawnService({
      service: 'worker',
      source: true,
      name: `worker-${this.processes.length}`,
      env: { ...this.env, LOG_LEVEL: 'info', ...overrides },
    });
    this.processes.push(worker);
    return worker;
  }

  /** Creates the tenant's container (a bucket in the tenant's own account); returns the container name. */
  async createContainer(container: string): Promise<string> {
    await this.tenantS3.makeBucket(this.bucketFor(container), this.stack.s3.region);
    return container;
  }

  bucketFor(container: string): string {
    return `${this.bucketPrefix}${container}`;
  }

  async uploadFile(container: string, object: string, path: string): Promise<void> {
    await this.tenantS3.fPutObject(this.bucketFor(container), object, path);
  }

  async submitTask(
    type: 'import' | 'export',
    input: Record<string, unknown>,
    id = randomUUID(),
    jobOptions: JobsOptions = {},
  ): Promise<string> {
    await this.handle.db.insert(tasks).values({ id, tenantId: TENANT_ID, type, input });
    await this.queues[type].add(
      type,
      { taskId: id },
      { ...taskJobOptions, ...jobOptions, jobId: jobIdForTask(id) },
    );
    return id;
  }

  async task(taskId: string): Promise<TaskRow> {
    const [row] = await this.handle.db.select().from(tasks).where(eq(tasks.id, taskId));
    if (!row) throw new Error(`task ${taskId} not found`);
    return row;
  }

  /** Polls until the task is success or failure. */
  async waitForTask(taskId: string, timeoutMs = 60_000): Promise<TaskRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.task(taskId);
      if (row.status === 'success' || row.status === 'failure') return row;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${row.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Keys in the image store and unfinished multipart uploads there (both must be clean after any task). */
  async imageStoreContents(): Promise<{ objects: string[]; incompleteUploads: string[] }> {
    return bucketContents(this.stack, this.serviceS3, this.stack.s3.service, this.imageStoreBucket);
  }

  async containerContents(container: string) {
    return bucketContents(this.stack, this.tenantS3, this.tenantCreds, this.bucketFor(container));
  }

  async dispose(): Promise<void> {
    await this.stopWorkers();
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
    await this.redis.quit();
    await this.handle.close();
    await this.database.drop();
  }
}

const openObjectStore = createObjectStoreFactory(defaultObjectStoreTimeouts);

async function bucketContents(stack: StackInfo, client: Client, creds: S3Credentials, bucket: string) {
  const objects: string[] = [];
  for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) objects.push(item.name);
  // The worker's own listing (the ObjectStore port): minio's cannot see uploads on Swift.
  const store = openObjectStore({ endpoint: stack.s3.endpoint, region: stack.s3.region, ...creds });
  const incompleteUploads = (await store.listIncompleteUploads(bucket, '')).map((upload) => upload.key);
  return { objects: objects.sort(), incompleteUploads };
}
