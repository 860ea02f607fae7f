import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiTokens, hashApiToken } from '@cloud-images/shared';
import { type ServiceProcess, spawnService } from '@cloud-images/test-stack';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminRun, adminCliRunner } from './support/admin-cli-runner.js';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

/** TOKEN_CACHE_TTL_MS's documented default; the API process below runs with it (its cache on). */
const DOCUMENTED_CACHE_TTL_MS = 5_000;
/** How late a refusal may come: the must-show bound ("within a second of its expiry"). */
const LATE_MS = 1_000;
const POLL_MS = 100;

let t: TestApi;
let tenant: TestTenant;
let api: ServiceProcess;
let cli: ReturnType<typeof adminCliRunner>;
/** Every token the CLI printed: none may appear in any log, list or audit output. */
const issuedTokens: string[] = [];
/** What the CLI wrote that is not a token's one-time printing (create and rotate stdout). */
const cliOutput: string[] = [];

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  // The real main.ts with the service's defaults for the cache (the harness's in-process API turns it off).
  const env = Object.fromEntries(
    Object.entries(t.config)
      .filter(([key, value]) => value !== undefined && key !== 'TOKEN_CACHE_TTL_MS')
      .map(([key, value]) => [key, String(value)]),
  );
  api = await spawnService({
    service: 'api',
    source: true,
    env: { ...env, PORT: '0', OPS_PORT: '0', LOG_LEVEL: 'debug' },
  });
  cli = adminCliRunner({
    DATABASE_URL: t.config.DATABASE_URL,
    TENANT_SECRET_KEY: randomBytes(32).toString('base64'),
    USER: 'ci',
  });
});
afterAll(async () => {
  await api?.ensureStopped();
  await t?.close();
});

/** Runs the admin CLI; stdout is kept for the leak check unless the command prints a new token by design. */
async function admin(...args: string[]): Promise<AdminRun & { json: Record<string, unknown> }> {
  const result = await cli.admin(...args);
  cliOutput.push(result.stderr);
  const printsToken =
    result.code === 0 && ['create', 'rotate'].includes(args[1] ?? '') && args[0] === 'token';
  if (printsToken) issuedTokens.push(result.json.token as string);
  else cliOutput.push(result.stdout);
  return result;
}

async function statusOf(token: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${api.port}/v2/tasks`, { headers: { 'X-Auth-Token': token } });
  await res.arrayBuffer();
  return res.status;
}

/** Polls until the token is refused; when each answer was asked for, relative to `reference` (ms since epoch). */
async function pollUntilRefused(token: string, reference: number, giveUpAfterMs: number) {
  let lastAcceptedAt: number | undefined;
  while (Date.now() < reference + giveUpAfterMs) {
    const askedAt = Date.now();
    const status = await statusOf(token);
    if (status === 401) return { refusedAt: askedAt - reference, lastAcceptedAt };
    expect(status).toBe(200);
    lastAcceptedAt = askedAt - reference;
    await sleep(POLL_MS);
  }
  return { refusedAt: undefined, lastAcceptedAt };
}

async function tokenRow(id: string) {
  const [row] = await t.db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return row!;
}

describe('tokens that end', () => {
  it('answers a 2 s token with 200, then 401 (the same as an unknown token) within a second of its expiry', async () => {
    const created = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'observer',
      '--expires-in',
      '2s',
    );
    expect(created.code).toBe(0);
    const token = created.json.token as string;
    const expiresAt = Date.parse(created.json.expires_at as string);
    expect(expiresAt - Date.parse(created.json.created_at as string)).toBe(2_000);
    expect(await statusOf(token)).toBe(200);

    const { refusedAt, lastAcceptedAt } = await pollUntilRefused(token, expiresAt, 5_000);
    console.log(
      `2s token: last 200 asked ${lastAcceptedAt} ms, first 401 asked ${refusedAt} ms after expires_at`,
    );
    expect(refusedAt).toBeDefined();
    expect(refusedAt!).toBeLessThanOrEqual(LATE_MS);
    // Never served past its expiry, although the cache held it for up to 5 s.
    expect(lastAcceptedAt ?? -1).toBeLessThan(50);

    const expired = await fetch(`http://127.0.0.1:${api.port}/v2/tasks`, {
      headers: { 'X-Auth-Token': token },
    });
    const unknown = await fetch(`http://127.0.0.1:${api.port}/v2/tasks`, {
      headers: { 'X-Auth-Token': `cit_${randomBytes(32).toString('base64url')}` },
    });
    expect([expired.status, await expired.json()]).toEqual([unknown.status, await unknown.json()]);
  });

  it('states the default lifetime (TOKEN_DEFAULT_TTL, 90d) and an explicit never in the output', async () => {
    const byDefault = await admin('token', 'create', '--tenant', tenant.id, '--role', 'observer');
    expect(byDefault.code).toBe(0);
    const lifetime =
      Date.parse(byDefault.json.expires_at as string) - Date.parse(byDefault.json.created_at as string);
    expect(lifetime).toBe(90 * 86_400_000);
    const never = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'observer',
      '--expires-in',
      'never',
    );
    expect(never.json).toMatchObject({ expires_at: null, expires: 'never' });

    const twelveHours = adminCliRunner({
      DATABASE_URL: t.config.DATABASE_URL,
      TENANT_SECRET_KEY: randomBytes(32).toString('base64'),
      TOKEN_DEFAULT_TTL: '12h',
    });
    const short = await twelveHours.admin('token', 'create', '--tenant', tenant.id, '--role', 'observer');
    issuedTokens.push(short.json.token as string);
    expect(Date.parse(short.json.expires_at as string) - Date.parse(short.json.created_at as string)).toBe(
      12 * 3_600_000,
    );

    const bad = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'admin',
      '--expires-in',
      '3 weeks',
    );
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--expires-in');
    const badDefault = await adminCliRunner({
      DATABASE_URL: t.config.DATABASE_URL,
      TENANT_SECRET_KEY: randomBytes(32).toString('base64'),
      TOKEN_DEFAULT_TTL: 'forever',
    }).runAdmin('token', 'list');
    expect(badDefault.code).toBe(78);
    expect(badDefault.stderr).toContain('TOKEN_DEFAULT_TTL');
  });

  it('refuses a revoked token at once (the CLI notifies the API), and within the cache TTL when nobody tells it', async () => {
    const created = await admin('token', 'create', '--tenant', tenant.id, '--role', 'creator');
    const token = created.json.token as string;
    expect(await statusOf(token)).toBe(200); // now in the API's cache
    const revoked = await admin('token', 'revoke', created.json.id as string);
    expect(revoked.code).toBe(0);
    const revokedAt = Date.now();
    const notified = await pollUntilRefused(token, revokedAt, DOCUMENTED_CACHE_TTL_MS + LATE_MS);
    console.log(`revoke (CLI): first 401 asked ${notified.refusedAt} ms after the CLI returned`);
    expect(notified.refusedAt).toBeDefined();
    expect(notified.refusedAt!).toBeLessThanOrEqual(DOCUMENTED_CACHE_TTL_MS);

    // A revocation the API is not told about (written straight to the table): the cache keeps serving the token
    // it read a moment ago, but for no longer than its TTL.
    const other = await admin('token', 'create', '--tenant', tenant.id, '--role', 'creator');
    const otherToken = other.json.token as string;
    expect(await statusOf(otherToken)).toBe(200);
    const lookedUpAt = Date.now();
    await t.db
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(eq(apiTokens.id, other.json.id as string));
    expect(await statusOf(otherToken), 'the cache is on: the token read just now is still served').toBe(200);
    const silent = await pollUntilRefused(otherToken, lookedUpAt, DOCUMENTED_CACHE_TTL_MS + 3 * LATE_MS);
    console.log(`revoke (no notification): first 401 asked ${silent.refusedAt} ms after the lookup`);
    expect(silent.refusedAt).toBeDefined();
    expect(silent.refusedAt!).toBeLessThanOrEqual(DOCUMENTED_CACHE_TTL_MS + LATE_MS);
  });

  it('rotate: both tokens work during the grace, only the new one after it', async () => {
    const created = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'admin',
      '--description',
      'ci',
    );
    const old = created.json.token as string;
    expect(await statusOf(old)).toBe(200); // cached with its 90-day expiry before the rotation

    const rotated = await admin(
      'token',
      'rotate',
      created.json.id as string,
      '--grace',
      '2s',
      '--actor',
      'dave',
    );
    expect(rotated.code).toBe(0);
    expect(rotated.json).toMatchObject({
      tenant_id: tenant.id,
      role: 'admin',
      description: 'ci',
      replaces: { id: created.json.id },
    });
    const replacement = rotated.json.token as string;
    expect(replacement).not.toBe(old);
    const graceEnds = Date.parse((rotated.json.replaces as { expires_at: string }).expires_at);
    expect(graceEnds - Date.parse(rotated.json.created_at as string)).toBe(2_000);

    expect([await statusOf(old), await statusOf(replacement)]).toEqual([200, 200]);
    const { refusedAt, lastAcceptedAt } = await pollUntilRefused(old, graceEnds, 5_000);
    console.log(
      `rotate --grace 2s: old token last 200 at ${lastAcceptedAt} ms, first 401 at ${refusedAt} ms`,
    );
    expect(refusedAt).toBeDefined();
    expect(refusedAt!).toBeLessThanOrEqual(LATE_MS);
    expect(lastAcceptedAt ?? -1).toBeLessThan(50);
    expect(await statusOf(replacement)).toBe(200);

    // A rotation never lengthens a token's life; a revoked or expired token cannot be rotated.
    const soon = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'admin',
      '--expires-in',
      '30m',
    );
    const soonRotated = await admin('token', 'rotate', soon.json.id as string, '--grace', '2h');
    expect((soonRotated.json.replaces as { expires_at: string }).expires_at).toBe(soon.json.expires_at);
    const again = await admin('token', 'rotate', created.json.id as string);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no live token');
    expect((await admin('token', 'rotate', soon.json.id as string, '--grace', 'never')).code).toBe(64);
  });

  it('documents the token commands and their duration flags in the usage', async () => {
    const { code, stdout } = await cli.runAdmin('token', '--help');
    expect(code).toBe(0);
    for (const text of [
      'token create',
      'token list',
      'token rotate',
      'token revoke',
      '[--expires-in DURATION]',
      '[--grace DURATION]',
      'TOKEN_DEFAULT_TTL',
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it('token list shows last use, written at most once a minute, never the token or its hash', async () => {
    const created = await admin(
      'token',
      'create',
      '--tenant',
      tenant.id,
      '--role',
      'observer',
      '--description',
      'list me',
    );
    const id = created.json.id as string;
    const token = created.json.token as string;
    const listed = async () => {
      const result = await admin('token', 'list', '--tenant', tenant.id);
      expect(result.code).toBe(0);
      return (result.json.tokens as Record<string, unknown>[]).find((row) => row.id === id);
    };
    expect(await listed()).toMatchObject({
      tenant_id: tenant.id,
      role: 'observer',
      description: 'list me',
      status: 'active',
      created_at: created.json.created_at,
      expires_at: created.json.expires_at,
      revoked_at: null,
      last_used_at: null,
    });

    expect(await statusOf(token)).toBe(200);
    let first: Date | null = null;
    for (let i = 0; i < 50 && first === null; i++) {
      await sleep(100); // the write is fire-and-forget
      first = (await tokenRow(id)).lastUsedAt;
    }
    expect(first).not.toBeNull();
    expect((await listed())?.last_used_at).toBe(first!.toISOString());

    // Two more requests in a row: no new write, within the minute.
    expect([await statusOf(token), await statusOf(token)]).toEqual([200, 200]);
    await sleep(500);
    expect((await tokenRow(id)).lastUsedAt).toEqual(first);
    // The API does not even try: with last_used_at made two minutes old, the database would accept a write, yet
    // a request within this process's minute leaves it alone.
    await t.db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now() - interval '2 minutes'` })
      .where(eq(apiTokens.id, id));
    const backdated = (await tokenRow(id)).lastUsedAt;
    expect(await statusOf(token)).toBe(200);
    await sleep(500);
    expect((await tokenRow(id)).lastUsedAt).toEqual(backdated);

    const all = await admin('token', 'list');
    expect((all.json.tokens as unknown[]).length).toBeGreaterThan(3);
    expect(all.stdout).not.toContain(hashApiToken(token));
    expect(all.stdout).not.toMatch(/token_hash|"token"/);
    expect((await admin('token', 'list', '--tenant', '99999999')).code).toBe(1);
    const statuses = new Set((all.json.tokens as { status: string }[]).map((row) => row.status));
    expect(statuses).toEqual(new Set(['active', 'expired', 'revoked']));
  });

  it('audits create, revoke and rotate, and no output or log line carries a token', async () => {
    const audit = await admin('audit', 'list', '--tenant', tenant.id);
    const events = audit.json.events as {
      action: string;
      actor: string;
      target: string;
      changed_fields: string[];
    }[];
    const actions = events.map((event) => event.action);
    for (const action of ['token.create', 'token.revoke', 'token.rotate']) expect(actions).toContain(action);
    const rotation = events.find((event) => event.action === 'token.rotate');
    expect(rotation).toMatchObject({ actor: 'dave', changed_fields: ['expires_at'] });

    await api.stop();
    const everything = [api.log.text, ...cliOutput].join('\n');
    expect(issuedTokens.length).toBeGreaterThan(5);
    for (const token of [...issuedTokens, ...Object.values(tenant.tokens)]) {
      expect(everything.includes(token), 'a token leaked into a log or output').toBe(false);
      expect(everything.includes(hashApiToken(token)), "a token's hash leaked").toBe(false);
    }
  });
});
