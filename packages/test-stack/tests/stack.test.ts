import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createIsolatedDatabase,
  createTenantBucket,
  detectMode,
  type IsolatedDatabase,
  s3ClientFor,
  stackEnv,
  uniqueName,
} from '../src/index.js';

const info = inject('stack');
const template = inject('templateDatabase');

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('mode detection', () => {
  const noEngine = () => Promise.reject(new Error('Could not find a working container runtime strategy'));
  const engine = () => Promise.resolve({});

  it('TEST_STACK forces a mode without probing', async () => {
    const probe = () => {
      throw new Error('must not probe');
    };
    expect(await detectMode({ env: { TEST_STACK: 'containers' }, probe })).toMatchObject({
      mode: 'containers',
    });
    expect(await detectMode({ env: { TEST_STACK: 'native' }, probe: engine })).toMatchObject({
      mode: 'native',
    });
    await expect(detectMode({ env: { TEST_STACK: 'docker' } })).rejects.toThrow(/TEST_STACK/);
  });

  it('picks native when no container runtime answers, containers when one does', async () => {
    const native = await detectMode({ env: {}, probe: noEngine });
    expect(native.mode).toBe('native');
    expect(native.reason).toMatch(/Could not find a working container runtime strategy/);
    expect((await detectMode({ env: {}, probe: engine })).mode).toBe('containers');
  });

  it('uses the real testcontainers probe and agrees with the running stack', async () => {
    const decision = await detectMode({ env: {} });
    if (process.env.TEST_STACK === undefined && process.env.CLOUD_IMAGES_STACK === undefined) {
      expect(decision.mode).toBe(info.mode);
    }
    if (decision.mode === 'native') expect(decision.reason).toMatch(/no container runtime/);
  });
});

describe('services', () => {
  it('Postgres answers', async () => {
    const { rows } = await query(info.postgres.adminUrl, 'SELECT version() AS v');
    expect(rows[0].v).toMatch(/PostgreSQL/);
  });

  it('Redis answers and never evicts (BullMQ)', async () => {
    const redis = new Redis(info.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
  });

  it('S3 stores and returns an object with the service account', async () => {
    const s3 = s3ClientFor(info, info.s3.service);
    const bucket = await createTenantBucket(info, info.s3.service, uniqueName('svc'));
    await s3.putObject(bucket, 'hello.txt', Buffer.from('hello'));
    const chunks: Buffer[] = [];
    for await (const chunk of await s3.getObject(bucket, 'hello.txt')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    await s3.removeObject(bucket, 'hello.txt');
    await s3.removeBucket(bucket);
  });

  it('S3 rejects a wrong secret with a signature error', async () => {
    const bad = s3ClientFor(info, { accessKey: info.s3.service.accessKey, secretKey: 'wrong-secret' });
    await expect(bad.listBuckets()).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('env for the services names every variable', () => {
    const env = stackEnv(info);
    expect(Object.keys(env).sort()).toEqual(
      [
        'CLOUD_IMAGES_STACK',
        'DATABASE_URL',
        'DEMO_TENANT_S3_ACCESS_KEY',
        'DEMO_TENANT_S3_SECRET_KEY',
        'REDIS_URL',
        'S3_ACCESS_KEY',
        'S3_ENDPOINT',
        'S3_REGION',
        'S3_SECRET_KEY',
        'STACK_MODE',
      ].sort(),
    );
    expect(JSON.parse(env.CLOUD_IMAGES_STACK ?? '')).toEqual(info);
  });
});

describe('isolation', () => {
  let a: IsolatedDatabase;
  let b: IsolatedDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      createIsolatedDatabase(info, template),
      createIsolatedDatabase(info, template),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('two isolated databases do not see each other’s tables', async () => {
    expect(a.name).not.toBe(b.name);
    await query(a.url, 'CREATE TABLE only_in_a (id int)');
    const inA = await query(a.url, "SELECT to_regclass('only_in_a') AS t");
    const inB = await query(b.url, "SELECT to_regclass('only_in_a') AS t");
    expect(inA.rows[0].t).toBe('only_in_a');
    expect(inB.rows[0].t).toBeNull();
  });

  it('uniqueName gives distinct S3-valid names', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('Tenant Images_1')));
    expect(names.size).toBe(100);
    for (const n of names) expect(n).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it.skipIf(info.s3.tenantIsolation !== 'account')(
    'a tenant’s bucket is invisible to another tenant account',
    async () => {
      const [t1, t2] = info.s3.tenants;
      if (!t1 || !t2) throw new Error('need two tenants');
      expect(info.s3.tenants.length).toBeGreaterThanOrEqual(3);
      const bucket = await createTenantBucket(info, t1, uniqueName('tenant1'));
      const s3t1 = s3ClientFor(info, t1);
      const s3t2 = s3ClientFor(info, t2);
      await s3t1.putObject(bucket, 'secret.vhd', Buffer.from('tenant 1 data'));
      try {
        expect((await s3t1.listBuckets()).map((x) => x.name)).toContain(bucket);
        expect((await s3t2.listBuckets()).map((x) => x.name)).not.toContain(bucket);
        expect(await s3t2.bucketExists(bucket)).toBe(false);
        await expect(s3t2.statObject(bucket, 'secret.vhd')).rejects.toThrow();
      } finally {
        await s3t1.removeObject(bucket, 'secret.vhd');
        await s3t1.removeBucket(bucket);
      }
    },
  );

  it.skipIf(info.s3.tenantIsolation !== 'account')(
    'a second user of a tenant account reaches the same buckets with its own keys, and the access log names it',
    async () => {
      const [t1] = info.s3.tenants;
      const [second] = info.s3.tenantSecondUsers;
      if (!t1 || !second) throw new Error('need tenant 1 and its second user');
      expect(second.accessKey).not.toBe(t1.accessKey);
      expect(second.secretKey).not.toBe(t1.secretKey);
      const bucket = await createTenantBucket(info, t1, uniqueName('rotation'));
      const s3second = s3ClientFor(info, second);
      try {
        await s3second.putObject(bucket, 'by-second.txt', Buffer.from('x'));
        expect((await s3ClientFor(info, t1).statObject(bucket, 'by-second.txt')).size).toBe(1);
        // The access log is written as the proxy's UDP datagrams arrive.
        const logged = () => readFileSync(info.s3.accessLogPath!, 'utf8');
        const deadline = Date.now() + 5_000;
        while (!/PUT \S+\/by-second\.txt .*Credential%3Dtenant1:user2\//.test(logged())) {
          if (Date.now() > deadline)
            throw new Error(`no access-log line for the PUT:\n${logged().slice(-2000)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(logged()).not.toContain(second.secretKey);
        // A user without rights has valid keys that every request is refused with.
        const restricted = s3ClientFor(info, info.s3.restrictedUser!);
        await expect(restricted.listBuckets()).rejects.toMatchObject({ code: 'AccessDenied' });
      } finally {
        await s3second.removeObject(bucket, 'by-second.txt');
        await s3second.removeBucket(bucket);
      }
    },
  );
});
