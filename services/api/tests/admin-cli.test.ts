import { randomBytes } from 'node:crypto';
import { createDatabase, decodeKey, secretKey as masterKey, SecretBox, tenants } from '@cloud-images/shared';
import { createIsolatedDatabase, type IsolatedDatabase } from '@cloud-images/test-stack';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant } from '../src/admin/admin-commands.js';
import { adminCliRunner } from './support/admin-cli-runner.js';

const secretKey = randomBytes(32).toString('base64');
let database: IsolatedDatabase;
let runAdmin: ReturnType<typeof adminCliRunner>['runAdmin'];
let admin: ReturnType<typeof adminCliRunner>['admin'];
let adminWith: ReturnType<typeof adminCliRunner>['adminWith'];

beforeAll(async () => {
  database = await createIsolatedDatabase(inject('stack'), inject('templateDatabase'));
  ({ runAdmin, admin, adminWith } = adminCliRunner({
    DATABASE_URL: database.url,
    TENANT_SECRET_KEY: secretKey,
  }));
});
afterAll(() => database?.drop());

describe('cloud-images-admin', () => {
  it('creates a tenant with a sealed secret, issues a token once, and revokes it', async () => {
    const tenant = await adminWith(
      { env: { TENANT_S3_SECRET_KEY: 'S3CRET' } },
      'tenant',
      'create',
      '--name',
      'acme',
      '--s3-access-key',
      'AK',
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
      expect(
        new SecretBox([masterKey(decodeKey(secretKey)!)]).open(row!.s3SecretKeyEncrypted, tenantId),
      ).toBe('S3CRET');
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

    // The token itself is a secret: never on argv (exit 64, not echoed), but accepted on stdin.
    const other = await admin('token', 'create', '--tenant', tenantId, '--role', 'observer');
    const onArgv = await admin('token', 'revoke', other.json.token as string);
    expect(onArgv.code).toBe(64);
    expect(onArgv.stderr).toContain('stdin');
    expect(onArgv.stdout + onArgv.stderr).not.toContain(other.json.token as string);
    const viaStdin = await adminWith({ stdin: `${other.json.token as string}\n` }, 'token', 'revoke', '-');
    expect(viaStdin).toMatchObject({ code: 0, json: { id: other.json.id, revoked_at: expect.any(String) } });
  });

  it("updates a tenant's limits and shows them with its usage (JSON)", async () => {
    const created = await adminWith(
      { env: { TENANT_S3_SECRET_KEY: 'sk' } },
      'tenant',
      'create',
      '--name',
      'limits',
      '--s3-access-key',
      'ak',
      '--bucket-prefix',
      'limits-',
    );
    const id = String(created.json.id);
    const shown = await admin('tenant', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.json).toMatchObject({
      id,
      limits: {
        max_active_tasks: { value: 2, default: true },
        max_pending_tasks: { value: 100, default: true },
        max_images: { value: 1000, default: true },
        max_image_bytes: { value: 1024 ** 4, default: true },
      },
      usage: { active_tasks: 0, pending_tasks: 0, images: 0, image_bytes: 0 },
    });
    const updated = await admin('tenant', 'update', id, '--max-active', '5', '--max-pending', '300');
    expect(updated.code).toBe(0);
    expect(updated.json).toMatchObject({
      limits: {
        max_active_tasks: { value: 5, default: false },
        max_pending_tasks: { value: 300, default: false },
        max_images: { value: 1000, default: true },
      },
    });
    const bad = await admin('tenant', 'update', id, '--max-images', 'lots');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--max-images must be a positive integer/);
    expect((await admin('tenant', 'show', 'nope')).code).toBe(1);
  });

  it('refuses bucket prefixes that are malformed, overlap another tenant on the same account, or spell the image store', async () => {
    const create = (name: string, prefix: string, accessKey = 'PREFIX-AK') =>
      adminWith(
        { env: { TENANT_S3_SECRET_KEY: 'S' } },
        'tenant',
        'create',
        '--name',
        name,
        '--s3-access-key',
        accessKey,
        '--bucket-prefix',
        prefix,
      );
    const first = await create('prefix-one', 'team-a-');
    expect(first.code).toBe(0);
    const expectRefused = async (name: string, prefix: string, message: RegExp, accessKey?: string) => {
      const refused = await create(name, prefix, accessKey);
      expect(refused.code, prefix).toBe(1);
      expect(JSON.parse(refused.stderr.split('\n')[0]!).error).toMatch(message);
    };
    await expectRefused('prefix-bad', 'Team_A', /malformed/);
    await expectRefused('prefix-longer', 'team-a-b-', /overlaps the prefix 'team-a-' of tenant/);
    await expectRefused('prefix-shorter', 'team-', /overlaps the prefix 'team-a-'/);
    // IMAGE_STORE_BUCKET defaults to cloud-images-store, learnt through the CLI's own config schema.
    await expectRefused('prefix-store', 'cloud-images-', /image-store bucket 'cloud-images-store'/, 'OTHER');
    // The same prefix in another account names other buckets.
    expect((await create('prefix-other-account', 'team-a-', 'OTHER-AK')).code).toBe(0);
  });

  it('admits exactly one of several concurrent tenant creates with overlapping bucket prefixes', async () => {
    // In-process, so the four transactions really overlap (CLI processes start too far apart to race).
    const handle = createDatabase({ url: database.url, poolMax: 4 });
    const box = new SecretBox([masterKey(decodeKey(secretKey)!)]);
    try {
      const results = await Promise.allSettled(
        ['race-a', 'race-b', 'race-c', 'race-d'].map((name) =>
          handle.db.transaction((tx) =>
            createTenant(
              tx,
              box,
              { name, s3AccessKey: 'RACE-AK', s3SecretKey: 'S', bucketPrefix: 'race-' },
              'cloud-images-store',
            ),
          ),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    } finally {
      await handle.close();
    }
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

  it('prints the usage of every command and flag on stdout for --help, -h and help, and exits 0', async () => {
    for (const help of [['--help'], ['-h'], ['help']]) {
      const { code, stdout, stderr } = await runAdmin(...help);
      expect({ code, stderr }, help.join(' ')).toEqual({ code: 0, stderr: '' });
      for (const text of [
        'tenant create',
        'tenant list',
        'token create',
        'token revoke',
        '--name NAME',
        '--s3-access-key KEY',
        '[--s3-secret-key-file PATH|-]',
        'TENANT_S3_SECRET_KEY',
        'secrets reseal',
        '[--no-verify]',
        '[--s3-endpoint URL]',
        '[--bucket-prefix PREFIX]',
        '[--id OWNER_ID]',
        '--tenant TENANT_ID',
        '--role admin|creator|observer',
        '[--description TEXT]',
        'TOKEN_ID|-',
      ]) {
        expect(stdout, `${help.join(' ')} lists ${text}`).toContain(text);
      }
    }
    // Per command: only that command's usage.
    const tokenCreate = await runAdmin('token', 'create', '--help');
    expect(tokenCreate.code).toBe(0);
    expect(tokenCreate.stdout).toContain('--role admin|creator|observer');
    expect(tokenCreate.stdout).not.toContain('tenant create');
  });

  it('rejects an unknown flag, or a missing or unknown command, with exit 64 naming it', async () => {
    const cases: [string[], string][] = [
      [['tenant', 'list', '--bogus'], "unknown option '--bogus'"],
      [['token', 'create', '--tenant', 'x', '--role', 'admin', '--colour=red'], "unknown option '--colour'"],
      [['--bogus'], "unknown option '--bogus'"],
      [[], 'missing command'],
      [['launch'], "unknown command 'launch'"],
      // A secret on argv is refused before anything runs, pointing to the safe forms.
      [
        ['tenant', 'create', '--name', 'x', '--s3-access-key', 'k', '--s3-secret-key', 'ARGV-SECRET'],
        '--s3-secret-key-file PATH, --s3-secret-key-file - (stdin), or the TENANT_S3_SECRET_KEY',
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await runAdmin(...args);
      expect(code, args.join(' ')).toBe(64);
      expect(stdout, args.join(' ')).toBe('');
      expect(JSON.parse(stderr.split('\n')[0]!).error, args.join(' ')).toContain(message);
      expect(stderr, 'the usage follows the error').toContain('usage: cloud-images-admin');
    }
  });
});
