import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '@cloud-images/test-stack';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runMigrations } from '../src/db/migrate.js';

const stack = inject('stack');
const migrateCli = fileURLToPath(new URL('../src/db/migrate-cli.ts', import.meta.url));
const created: string[] = [];

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stack.postgres.adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An EMPTY database (not cloned from the migrated template), so migrations start from nothing. */
async function emptyDatabase(): Promise<string> {
  const name = uniqueName('empty').replaceAll('-', '_');
  await admin((c) => c.query(`create database ${name}`));
  created.push(name);
  const url = new URL(stack.postgres.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function tablesIn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    return rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

function runMigrateCli(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', migrateCli], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

afterAll(async () => {
  await admin(async (c) => {
    for (const name of created) await c.query(`drop database if exists ${name} with (force)`);
  });
});

/** Every table the committed migrations create, in the order `tablesIn` lists them. */
const ALL_TABLES = [
  'api_tokens',
  'audit_events',
  'image_members',
  'images',
  'outbox',
  'tasks',
  'tenant_usage',
  'tenants',
  'worker_heartbeats',
];

describe('migrations', () => {
  it('apply to an empty database and are idempotent', async () => {
    const url = await emptyDatabase();
    expect(await tablesIn(url)).toEqual([]);
    await runMigrations(url);
    expect(await tablesIn(url)).toEqual(ALL_TABLES);
    await runMigrations(url);
    expect(await tablesIn(url)).toEqual(ALL_TABLES);
  });

  it('are safe when several replicas migrate the same database at once', async () => {
    // In-process, so all six reach Postgres within milliseconds of each other: without the advisory lock two
    // of them run the same CREATE TYPE / CREATE TABLE concurrently and one fails.
    const url = await emptyDatabase();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => runMigrations(url)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await tablesIn(url)).toEqual(ALL_TABLES);
  });

  it('are safe when several migrate commands run at the same time', async () => {
    const url = await emptyDatabase();
    const runs = await Promise.all([1, 2, 3].map(() => runMigrateCli({ DATABASE_URL: url })));
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(await tablesIn(url)).toEqual(ALL_TABLES);
    const applied = await admin(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      await client.end();
      return rows[0].n as number;
    });
    // Each committed migration applied exactly once, however many replicas ran.
    const journal = JSON.parse(
      readFileSync(new URL('../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
    ) as { entries: unknown[] };
    expect(applied).toBe(journal.entries.length);
  });

  it('the migrate command refuses a bad DATABASE_URL, naming it', async () => {
    const run = await runMigrateCli({ DATABASE_URL: 'mysql://nope' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    const missing = await runMigrateCli({});
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('DATABASE_URL: is required but not set');
  });
});
