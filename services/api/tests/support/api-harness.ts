import { createHash, randomBytes } from 'node:crypto';
import {
  createDatabase,
  type DatabaseHandle,
  images,
  secretKey as masterKey,
  SecretBox,
  type TokenRole,
  tenants,
  workerHeartbeats,
} from '@cloud-images/shared';
import {
  createIsolatedDatabase,
  createTenantBucket,
  s3ClientFor,
  seedTenant,
  uniqueName,
} from '@cloud-images/test-stack';
import { eq, sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { createToken } from '../../src/admin/token-commands.js';
import { type RunningApi, startApi } from '../../src/api-server.js';
import { type ApiConfig, apiConfigSchema } from '../../src/config.js';

export interface TestTenant {
  id: string;
  tokens: Record<TokenRole, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely
  json: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding), for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * One API per test file, against the real stack: its own database (from the migrated template), its own
 * BullMQ prefix and its own image-store bucket, so files never see each other's rows, jobs or objects.
 */
export async function startTestApi(overrides: Record<string, string> = {}) {
  const stack = inject('stack');
  const database = await createIsolatedDatabase(stack, inject('templateDatabase'));
  const imageBucket = await createTenantBucket(stack, stack.s3.service, uniqueName('images'));
  const secretKey = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: stack.redis.url,
    QUEUE_PREFIX: uniqueName('api'),
    S3_ENDPOINT: stack.s3.endpoint,
    S3_REGION: stack.s3.region,
    S3_ACCESS_KEY: stack.s3.service.accessKey,
    S3_SECRET_KEY: stack.s3.service.secretKey,
    IMAGE_STORE_BUCKET: imageBucket,
    PORT: '0',
    HOST: '127.0.0.1',
    OPS_PORT: '0',
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OUTBOX_RELAY_INTERVAL_MS: '200',
    // Test files fire bursts from one token; the rate-limit tests set their own, lower limit.
    RATE_LIMIT_POINTS: '100000',
    // Tests revoke tokens and expect the next request to see it; tokens.test.ts runs the real process with its cache.
    TOKEN_CACHE_TTL_MS: '0',
    ...overrides,
  };
  const config: ApiConfig = apiConfigSchema.parse(env);
  const api: RunningApi = await startApi(config);
  const handle: DatabaseHandle = createDatabase({ url: database.url, poolMax: 2 });
  const box = new SecretBox([masterKey(Buffer.from(secretKey, 'hex'))]);
  const baseUrl = `http://127.0.0.1:${api.port}`;
  /** The ops listener: /healthz, /readyz, /metrics, the queue UI. */
  const opsUrl = `http://127.0.0.1:${api.opsPort}`;
  const imageStoreClient = s3ClientFor(stack, stack.s3.service);

  async function createTestTenant(name = uniqueName('tenant'), bucketPrefix = ''): Promise<TestTenant> {
    const tenant = await seedTenant(handle.pool, {
      name,
      bucketPrefix,
      credentials: { accessKey: 'ak', secretKey: 'sk' },
      seal: (secret, tenantId) => box.seal(secret, tenantId),
    });
    const tokens = {} as Record<TokenRole, string>;
    for (const role of ['admin', 'creator', 'observer'] as const) {
      tokens[role] = (await createToken(handle.db, { tenantId: tenant.id, role, lifetime: null })).token;
    }
    return { id: tenant.id, tokens };
  }

  /** A worker heartbeat row that stays live for an hour: the dispatcher sees `concurrency` slots, no worker runs. */
  async function fakeWorkerCapacity(concurrency: number, workerId = 'fake-worker'): Promise<void> {
    await handle.db
      .insert(workerHeartbeats)
      .values({ workerId, concurrency, lastSeenAt: sql`now() + interval '1 hour'` })
      .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { concurrency } });
  }

  async function setTenantLimits(
    tenantId: string,
    limits: Partial<Pick<typeof tenants.$inferInsert, 'maxActiveTasks' | 'maxPendingTasks' | 'maxImages'>>,
  ): Promise<void> {
    await handle.db.update(tenants).set(limits).where(eq(tenants.id, tenantId));
  }

  /**
   * An `active` image of `data` owned by `tenantId`: its object in the image store and its row, as a finished
   * import leaves them. Returns the image id and the object's key.
   */
  async function storeActiveImage(tenantId: string, data: Buffer, name = 'image') {
    const key = `images/${crypto.randomUUID()}.vhd`;
    await imageStoreClient.putObject(imageBucket, key, data, data.length);
    const [row] = await handle.db
      .insert(images)
      .values({
        tenantId,
        name,
        status: 'active',
        size: data.length,
        checksum: createHash('md5').update(data).digest('hex'),
        storageKey: key,
      })
      .returning({ id: images.id });
    return { id: row!.id, key };
  }

  /** A request to the ops listener instead of the tenant port. */
  function opsRequest(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return send(opsUrl, method, path, options);
  }

  function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return send(baseUrl, method, path, options);
  }

  async function send(
    base: string,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['X-Auth-Token'] = options.token;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, body: text, json };
  }

  async function close(): Promise<void> {
    await api.shutdown();
    await handle.close();
    const objects = await imageStoreClient.listObjectsV2(imageBucket, '', true).toArray();
    await imageStoreClient.removeObjects(
      imageBucket,
      objects.map((o: { name: string }) => o.name),
    );
    await imageStoreClient.removeBucket(imageBucket).catch(() => {});
    await database.drop();
  }

  return {
    api,
    config,
    baseUrl,
    opsUrl,
    opsRequest,
    db: handle.db,
    imageBucket,
    imageStoreClient,
    createTestTenant,
    storeActiveImage,
    fakeWorkerCapacity,
    setTenantLimits,
    request,
    close,
  };
}

export type TestApi = Awaited<ReturnType<typeof startTestApi>>;

export const importBody = (
  name = 'My excellent custom image',
  importFrom = 'exports/my-excellent-image.vhd',
) => ({
  type: 'import',
  input: { image_properties: { name }, import_from: importFrom },
});

export const exportBody = (imageUuid = 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6', container = 'exports') => ({
  type: 'export',
  input: { image_uuid: imageUuid, receiving_swift_container: container },
});

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
