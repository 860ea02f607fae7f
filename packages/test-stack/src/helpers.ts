import { randomBytes } from 'node:crypto';
import { Client as MinioClient } from 'minio';
import pg from 'pg';
import type { S3Credentials, StackInfo } from './types.js';

/**
 * A unique, S3-bucket-valid name: lowercase letters, digits and hyphens, 3-63 characters,
 * e.g. `uniqueName('import')` → `import-m3x9k2-4f1a9c`. Also fine for BullMQ queue prefixes.
 */
export function uniqueName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'x';
  return `${clean}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** URL of database `name` on the stack's Postgres, as the superuser. */
export function databaseUrl(info: StackInfo, name: string): string {
  const url = new URL(info.postgres.adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withAdmin<T>(info: StackInfo, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: info.postgres.adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates database `name` (optionally from a template) if it does not exist; returns its URL. */
export async function createDatabase(info: StackInfo, name: string, template?: string): Promise<string> {
  await withAdmin(info, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(
        `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
      );
    }
  });
  return databaseUrl(info, name);
}

/** Drops database `name`, disconnecting any remaining sessions. */
export async function dropDatabase(info: StackInfo, name: string): Promise<void> {
  await withAdmin(info, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}

export interface IsolatedDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file: `CREATE DATABASE test_<unique> TEMPLATE <templateName>`.
 * Cheap (a file copy of the migrated template). Call `drop()` in `afterAll`.
 */
export async function createIsolatedDatabase(
  info: StackInfo,
  templateName: string,
): Promise<IsolatedDatabase> {
  const name = uniqueName('test').replace(/-/g, '_');
  // CREATE DATABASE ... TEMPLATE fails if another session is connected to the template at that moment
  // (e.g. a concurrent CREATE from another worker): retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdmin(info, (client) =>
        client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(templateName)}`),
      );
      break;
    } catch (err) {
      const busy = err instanceof Error && /being accessed by other users/.test(err.message);
      if (!busy || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  return { name, url: databaseUrl(info, name), drop: () => dropDatabase(info, name) };
}

/** A minio client for the stack's S3 endpoint with the given credentials (explicit region, path-style). */
export function s3ClientFor(info: StackInfo, creds: S3Credentials): MinioClient {
  return new MinioClient({
    endPoint: info.s3.host,
    port: info.s3.port,
    useSSL: info.s3.useSSL,
    region: info.s3.region,
    pathStyle: true,
    accessKey: creds.accessKey,
    secretKey: creds.secretKey,
  });
}

/** Creates bucket `name` in the account of `creds` (e.g. a tenant's container). Returns the name. */
export async function createTenantBucket(
  info: StackInfo,
  creds: S3Credentials,
  name: string,
): Promise<string> {
  await s3ClientFor(info, creds).makeBucket(name, info.s3.region);
  return name;
}
