import { randomInt } from 'node:crypto';
import pg from 'pg';
import { uniqueName } from './helpers.js';
import type { S3Credentials } from './types.js';

/** Anything that runs SQL with `$1` parameters: a `pg` Pool or Client (e.g. a shared `DatabaseHandle.pool`). */
export interface SqlRunner {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface SeedTenantOptions {
  /** The tenant's object-store account, e.g. `stack.s3.tenants[0]`. */
  credentials: S3Credentials;
  /**
   * Seals the S3 secret for the tenant id the way the services open it, e.g.
   * `(secret, tenantId) => new SecretBox([secretKey(key)]).seal(secret, tenantId)` (the id is bound as AAD).
   * A callback because test-stack cannot depend on @cloud-images/shared (shared's tests depend on test-stack).
   */
  seal: (secret: string, tenantId: string) => string;
  /** Default: a random 8-digit id, as the admin CLI makes. */
  id?: string;
  /** Default: a unique name (names are unique per database). */
  name?: string;
  /** Default: none (the service's own S3 endpoint). */
  s3Endpoint?: string;
  /** Default: '' (container name = bucket name). */
  bucketPrefix?: string;
}

export interface SeededTenant {
  id: string;
  name: string;
  s3AccessKey: string;
  s3Endpoint: string | null;
  bucketPrefix: string;
}

/**
 * Inserts a tenant row with plain SQL, for tests that need one without going through the admin CLI.
 * `database` is a database URL (a connection is opened and closed here) or an open pool/client.
 */
export async function seedTenant(
  database: string | SqlRunner,
  options: SeedTenantOptions,
): Promise<SeededTenant> {
  const tenant: SeededTenant = {
    id: options.id ?? String(randomInt(0, 100_000_000)).padStart(8, '0'),
    name: options.name ?? uniqueName('tenant'),
    s3AccessKey: options.credentials.accessKey,
    s3Endpoint: options.s3Endpoint ?? null,
    bucketPrefix: options.bucketPrefix ?? '',
  };
  const sealed = options.seal(options.credentials.secretKey, tenant.id);
  await withSqlRunner(database, (db) =>
    db.query(
      `INSERT INTO tenants (id, name, s3_endpoint, s3_access_key, s3_secret_key_encrypted, bucket_prefix)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [tenant.id, tenant.name, tenant.s3Endpoint, tenant.s3AccessKey, sealed, tenant.bucketPrefix],
    ),
  );
  return tenant;
}

async function withSqlRunner<T>(database: string | SqlRunner, fn: (db: SqlRunner) => Promise<T>): Promise<T> {
  if (typeof database !== 'string') return fn(database);
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
