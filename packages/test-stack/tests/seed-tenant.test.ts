import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIsolatedDatabase, type IsolatedDatabase, seedTenant } from '../src/index.js';

// The tenants table as packages/shared's migration creates it (this package cannot depend on shared).
const TENANTS_TABLE = `CREATE TABLE tenants (
  id text PRIMARY KEY, name text NOT NULL UNIQUE, s3_endpoint text, s3_access_key text NOT NULL,
  s3_secret_key_encrypted text NOT NULL, bucket_prefix text DEFAULT '' NOT NULL)`;

let db: IsolatedDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createIsolatedDatabase(inject('stack'), inject('templateDatabase'));
  pool = new pg.Pool({ connectionString: db.url, max: 1 });
  await pool.query(TENANTS_TABLE);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const credentials = { accessKey: 'tenant1:user', secretKey: 'plain-secret' };
const seal = (secret: string) => `sealed(${secret})`;

describe('seedTenant', () => {
  it('inserts a tenant with the sealed secret, through a URL', async () => {
    const tenant = await seedTenant(db.url, {
      credentials,
      seal,
      id: '00000123',
      name: 'seeded',
      s3Endpoint: 'http://127.0.0.1:1',
      bucketPrefix: 't-',
    });
    expect(tenant).toEqual({
      id: '00000123',
      name: 'seeded',
      s3AccessKey: 'tenant1:user',
      s3Endpoint: 'http://127.0.0.1:1',
      bucketPrefix: 't-',
    });
    const { rows } = await pool.query('SELECT * FROM tenants WHERE id = $1', ['00000123']);
    expect(rows).toEqual([
      {
        id: '00000123',
        name: 'seeded',
        s3_endpoint: 'http://127.0.0.1:1',
        s3_access_key: 'tenant1:user',
        s3_secret_key_encrypted: 'sealed(plain-secret)',
        bucket_prefix: 't-',
      },
    ]);
  });

  it('defaults to a random 8-digit id, a unique name, no endpoint and no prefix, through a pool', async () => {
    const [a, b] = [
      await seedTenant(pool, { credentials, seal }),
      await seedTenant(pool, { credentials, seal }),
    ];
    expect(a!.id).toMatch(/^\d{8}$/);
    expect(a!.name).not.toBe(b!.name);
    expect(a).toMatchObject({ s3Endpoint: null, bucketPrefix: '' });
  });

  it('fails on a duplicate id', async () => {
    await expect(seedTenant(pool, { credentials, seal, id: '00000123' })).rejects.toThrow(/duplicate key/);
  });
});
