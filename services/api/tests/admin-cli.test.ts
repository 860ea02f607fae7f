import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, decodeKey, SecretBox, tenants } from '@cloud-images/shared';
import { createIsolatedDatabase, type IsolatedDatabase } from '@cloud-images/test-stack';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('../src/admin/cli.ts', import.meta.url));
const secretKey = randomBytes(32).toString('base64');
let database: IsolatedDatabase;

beforeAll(async () => {
  database = await createIsolatedDatabase(inject('stack'), inject('templateDatabase'));
});
afterAll(() => database?.drop());

async function admin(
  ...args: string[]
): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, TENANT_SECRET_KEY: secretKey },
    });
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, json: stdout ? JSON.parse(stdout) : {}, stderr };
  }
}

describe('cloud-images-admin', () => {
  it('creates a tenant with a sealed secret, issues a token once, and revokes it', async () => {
    const tenant = await admin(
      'tenant',
      'create',
      '--name',
      'acme',
      '--s3-access-key',
      'AK',
      '--s3-secret-key',
      'S3CRET',
      '--s3-endpoint',
      'http://127.0.0.1:9000',
      '--bucket-prefix',
      'acme-',
    );
    expect(tenant.code).toBe(0);
    expect(tenant.json).toMatchObject({
      name: 'acme',
      s3_access_key: 'AK',
      s3_endpoint: 'http://127.0.0.1:9000',
      bucket_prefix: 'acme-',
    });
    expect(JSON.stringify(tenant.json)).not.toContain('S3CRET');
    const tenantId = tenant.json.id as string;
    expect(tenantId).toMatch(/^\d{8}$/);

    const handle = createDatabase({ url: database.url, poolMax: 1 });
    try {
      const [row] = await handle.db.select().from(tenants).where(eq(tenants.id, tenantId));
      expect(row?.s3SecretKeyEncrypted).not.toContain('S3CRET');
      expect(new SecretBox(decodeKey(secretKey)!).open(row!.s3SecretKeyEncrypted)).toBe('S3CRET');
    } finally {
      await handle.close();
    }

    const token = await admin('token', 'create', '--tenant', tenantId, '--role', 'observer');
    expect(token.code).toBe(0);
    expect(token.json).toMatchObject({
      tenant_id: tenantId,
      role: 'observer',
      token: expect.stringMatching(/^cit_/),
    });
    const revoked = await admin('token', 'revoke', token.json.id as string);
    expect(revoked).toMatchObject({ code: 0, json: { id: token.json.id, revoked_at: expect.any(String) } });
    expect((await admin('token', 'revoke', token.json.id as string)).code).toBe(1);
  });

  it('answers bad usage with exit 64 and a JSON error naming the problem', async () => {
    const missing = await admin('token', 'create', '--role', 'admin');
    expect(missing.code).toBe(64);
    expect(JSON.parse(missing.stderr.split('\n')[0]!)).toEqual({ error: '--tenant is required' });
    const role = await admin('token', 'create', '--tenant', 'x', '--role', 'root');
    expect(role.code).toBe(64);
    expect(role.stderr).toMatch(/--role must be one of admin, creator, observer/);
    expect((await admin('token', 'create', '--tenant', 'nope', '--role', 'admin')).code).toBe(1);
    expect((await admin('tenant', 'explode')).code).toBe(64);
  });
});
