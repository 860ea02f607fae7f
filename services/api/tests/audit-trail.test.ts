import { randomBytes } from 'node:crypto';
import { createIsolatedDatabase, type IsolatedDatabase } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminCliRunner } from './support/admin-cli-runner.js';

const secretKey = randomBytes(32).toString('base64');
const s3Secret = `audit-secret-${randomBytes(6).toString('hex')}`;
let database: IsolatedDatabase;
let cli: ReturnType<typeof adminCliRunner>;

beforeAll(async () => {
  database = await createIsolatedDatabase(inject('stack'), inject('templateDatabase'));
  cli = adminCliRunner({ DATABASE_URL: database.url, TENANT_SECRET_KEY: secretKey, USER: 'ci' });
});
afterAll(() => database?.drop());

describe('the audit trail', () => {
  it('records every admin mutation with its actor and the names of the changed fields, never a value', async () => {
    const started = new Date().toISOString();
    const tenant = await cli.adminWith(
      { env: { TENANT_S3_SECRET_KEY: s3Secret } },
      'tenant',
      'create',
      '--name',
      'audited',
      '--s3-access-key',
      'AKAUDIT',
      '--bucket-prefix',
      'audited-',
      '--actor',
      'alice',
    );
    expect(tenant.code).toBe(0);
    const tenantId = tenant.json.id as string;
    expect((await cli.admin('tenant', 'update', tenantId, '--max-active', '5', '--actor', 'bob')).code).toBe(
      0,
    );
    const token = await cli.admin('token', 'create', '--tenant', tenantId, '--role', 'creator');
    expect(token.code).toBe(0);
    const tokenText = () => ({ id: token.json.id as string, token: token.json.token as string });
    expect((await cli.admin('token', 'revoke', tokenText().id, '--actor', 'carol')).code).toBe(0);
    // A mutation that fails leaves no record: the event shares the change's transaction.
    expect((await cli.admin('tenant', 'update', '99999999', '--max-active', '3')).code).toBe(1);

    const listed = await cli.admin('audit', 'list', '--tenant', tenantId);
    expect(listed.code).toBe(0);
    const events = listed.json.events as Record<string, unknown>[];
    expect(events.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['tenant.create', 'alice', tenantId],
      ['tenant.update', 'bob', tenantId],
      ['token.create', expect.any(String), tokenText().id],
      ['token.revoke', 'carol', tokenText().id],
    ]);
    expect(events[1]?.changed_fields).toEqual(['max_active_tasks']);
    expect(events[0]?.changed_fields).toContain('s3_secret_key');
    // Without --actor, the OS user who ran the CLI is recorded, never an empty actor.
    expect(events[2]?.actor).not.toBe('');

    const everything = JSON.stringify((await cli.admin('audit', 'list', '--since', started)).json);
    expect(everything).toContain('tenant.create');
    expect(everything).not.toContain(s3Secret);
    expect(everything).not.toContain(tokenText().token);
    expect((await cli.admin('audit', 'list', '--since', '2999-01-01T00:00:00Z')).json.events).toEqual([]);
  });

  it('refuses a --since that is not a time', async () => {
    const result = await cli.admin('audit', 'list', '--since', 'yesterday');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--since must be an ISO 8601 time');
  });
});
