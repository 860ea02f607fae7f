import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@cloud-images/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;
let databaseName: string;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Runs SQL as the stack's superuser, on the maintenance database (never on the one being blocked). */
async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('stack').postgres.adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Makes this file's database unreachable without touching the shared Postgres server: new connections are
 * refused (`database … is not currently accepting connections`) and every open session is terminated.
 */
async function blockDatabase(): Promise<void> {
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${quoteIdent(databaseName)} ALLOW_CONNECTIONS false`);
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [databaseName],
    );
  });
  // pg_terminate_backend only signals: wait until every session of the database is really gone.
  await expect
    .poll(
      () =>
        asAdmin(
          async (client) =>
            (
              await client.query<{ n: number }>(
                'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
                [databaseName],
              )
            ).rows[0]?.n,
        ),
      { timeout: 10_000, interval: 100 },
    )
    .toBe(0);
}

async function unblockDatabase(): Promise<void> {
  await asAdmin((client) =>
    client.query(`ALTER DATABASE ${quoteIdent(databaseName)} ALLOW_CONNECTIONS true`),
  );
}

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  databaseName = decodeURIComponent(new URL(t.config.DATABASE_URL).pathname.slice(1));
});
afterAll(async () => {
  if (databaseName) await unblockDatabase();
  await t?.close();
});

const serviceUnavailable = {
  status: 503,
  json: {
    error: {
      code: 503,
      title: 'Service Unavailable',
      message: expect.any(String),
    },
  },
};

describe('Postgres unreachable', () => {
  it('answers 503 (not 500) with the JSON error body, fails readiness, and recovers once it is back', async () => {
    // Warm the API's pool so the outage also kills connections it already holds, not only new ones.
    expect((await t.request('GET', '/v2/tasks', { token: tenant.tokens.creator })).status).toBe(200);
    expect((await t.opsRequest('GET', '/readyz')).status).toBe(200);

    await blockDatabase();
    try {
      const list = await t.request('GET', '/v2/tasks', { token: tenant.tokens.creator });
      expect(list).toMatchObject(serviceUnavailable);
      expect(list.headers.get('content-type')).toMatch(/application\/json/);
      // The client sees no driver details, only that it should retry.
      expect(list.body).not.toMatch(/accepting connections|Failed query|select/i);

      const create = await t.request('POST', '/v2/tasks', {
        token: tenant.tokens.creator,
        body: importBody('during the outage'),
      });
      expect(create).toMatchObject(serviceUnavailable);

      const one = await t.request('GET', '/v2/tasks/00000000-0000-4000-8000-000000000000', {
        token: tenant.tokens.creator,
      });
      expect(one).toMatchObject(serviceUnavailable);

      const ready = await t.opsRequest('GET', '/readyz');
      expect(ready).toMatchObject(serviceUnavailable);
      expect(ready.json.error.message).toMatch(/postgres/);
      expect(ready.json.error.message).not.toMatch(/redis/);
    } finally {
      await unblockDatabase();
    }

    const created = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody('after the outage'),
    });
    expect(created.status).toBe(201);
    const list = await t.request('GET', '/v2/tasks', { token: tenant.tokens.creator });
    expect(list.status).toBe(200);
    expect(list.json.tasks.map((task: { id: string }) => task.id)).toEqual([created.json.id]);
    expect(
      (await t.request('GET', `/v2/tasks/${created.json.id}`, { token: tenant.tokens.creator })).status,
    ).toBe(200);
    expect(await t.opsRequest('GET', '/readyz')).toMatchObject({
      status: 200,
      json: { checks: { postgres: 'ok', redis: 'ok' } },
    });
  });

  it('a pooled client whose connection dies while checked out fails its next query instead of crashing the process', async () => {
    // Transactions (POST /v2/tasks, the outbox relay) hold a client between queries; pg-pool listens for errors
    // only on idle clients, so without a listener of our own the FATAL would be an uncaught 'error' event.
    const handle = createDatabase({ url: t.config.DATABASE_URL, poolMax: 1 });
    try {
      const client = await handle.pool.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await asAdmin((admin) => admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]));
      // The FATAL arrives while no query is active: it must be absorbed, not thrown (vitest fails on uncaught errors).
      await expect
        .poll(
          () =>
            asAdmin(
              async (admin) =>
                (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid])).rowCount,
            ),
          { timeout: 10_000, interval: 50 },
        )
        .toBe(0);
      await sleep(200);
      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminat/i);
      client.release();
      // The pool dropped the broken client and connects afresh.
      expect((await handle.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
  });
});
