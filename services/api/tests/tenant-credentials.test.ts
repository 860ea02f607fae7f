import { randomBytes } from 'node:crypto';
import { createDatabase, type DatabaseHandle, SecretBox, secretKey, tenants } from '@cloud-images/shared';
import { createIsolatedDatabase, freePorts, type IsolatedDatabase } from '@cloud-images/test-stack';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminCliRunner } from './support/admin-cli-runner.js';

/**
 * `tenant update` of S3 credentials and `secrets reseal`, through the real admin CLI process against real Postgres
 * and Swift S3. The rotation itself, with the worker, is in tests/e2e/tests/credential-rotation.test.ts.
 */

const stack = inject('stack');
const masterKey = randomBytes(32).toString('base64');
let database: IsolatedDatabase;
let handle: DatabaseHandle;
let cli: ReturnType<typeof adminCliRunner>;
let tenantId: string;

beforeAll(async () => {
  database = await createIsolatedDatabase(stack, inject('templateDatabase'));
  handle = createDatabase({ url: database.url, poolMax: 1 });
  cli = adminCliRunner({
    DATABASE_URL: database.url,
    TENANT_SECRET_KEY: masterKey,
    S3_ENDPOINT: stack.s3.endpoint,
    S3_REGION: stack.s3.region,
  });
  const creds = stack.s3.tenants[0]!;
  const created = await cli.adminWith(
    { stdin: creds.secretKey },
    'tenant',
    'create',
    '--name',
    'rotating',
    '--s3-access-key',
    creds.accessKey,
    '--s3-secret-key-file',
    '-',
    '--bucket-prefix',
    'rotating-',
  );
  expect(created.code, created.stderr).toBe(0);
  tenantId = created.json.id as string;
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function row(id = tenantId) {
  const [found] = await handle.db.select().from(tenants).where(eq(tenants.id, id));
  return found!;
}

describe('tenant update of S3 credentials', () => {
  it.skipIf(!stack.s3.restrictedUser)(
    'accepts keys that S3 answers with AccessDenied: valid, just not allowed to list',
    async () => {
      const restricted = stack.s3.restrictedUser!;
      const updated = await cli.adminWith(
        { env: { TENANT_S3_SECRET_KEY: restricted.secretKey } },
        'tenant',
        'update',
        tenantId,
        '--s3-access-key',
        restricted.accessKey,
      );
      expect(updated.code, updated.stderr).toBe(0);
      expect(updated.json.credentials_verification).toMatch(/AccessDenied/);
      expect((await row()).s3AccessKey).toBe(restricted.accessKey);
    },
  );

  it('refuses an endpoint that does not answer and changes nothing, unless --no-verify', async () => {
    const [closedPort] = await freePorts(1);
    const unreachable = `http://127.0.0.1:${closedPort}`;
    const before = await row();
    const refused = await cli.admin('tenant', 'update', tenantId, '--s3-endpoint', unreachable);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr).error).toMatch(
      new RegExp(`could not verify the credentials against ${unreachable}.*nothing changed.*--no-verify`),
    );
    expect(await row()).toEqual(before);

    const forced = await cli.admin('tenant', 'update', tenantId, '--s3-endpoint', unreachable, '--no-verify');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json.credentials_verification).toMatch(/skipped/);
    const after = await row();
    expect(after.s3Endpoint).toBe(unreachable);
    // The secret was not part of the update: the same sealed value.
    expect(after.s3SecretKeyEncrypted).toBe(before.s3SecretKeyEncrypted);
  });

  it('refuses to guess when neither the tenant nor S3_ENDPOINT names an endpoint', async () => {
    const noEndpoint = adminCliRunner({ DATABASE_URL: database.url, TENANT_SECRET_KEY: masterKey });
    await handle.db.update(tenants).set({ s3Endpoint: null }).where(eq(tenants.id, tenantId));
    const refused = await noEndpoint.adminWith(
      { stdin: 'another-secret' },
      'tenant',
      'update',
      tenantId,
      '--s3-secret-key-file',
      '-',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('S3_ENDPOINT is not set');
  });

  it('audits the updates that happened, with field names only', async () => {
    const events = (await cli.admin('audit', 'list', '--tenant', tenantId)).json.events as {
      action: string;
      changed_fields: string[];
    }[];
    const updates = events.filter((e) => e.action === 'tenant.update').map((e) => e.changed_fields);
    expect(updates).toEqual([
      ...(stack.s3.restrictedUser ? [['s3_access_key', 's3_secret_key']] : []),
      ['s3_endpoint'],
    ]);
    expect(JSON.stringify(events)).not.toContain(stack.s3.tenants[0]!.secretKey);
  });
});

describe('secrets reseal', () => {
  it('reseals v2 values of an old key, reports a value no configured key opens, and is idempotent', async () => {
    const oldKey = secretKey(Buffer.from(masterKey, 'base64'));
    const newKey = randomBytes(32).toString('hex');
    const foreign = new SecretBox([secretKey(randomBytes(32))]);
    await handle.db.insert(tenants).values({
      id: 'lost-key',
      name: 'sealed with a lost key',
      s3AccessKey: 'lost',
      s3SecretKeyEncrypted: foreign.seal('x', 'lost-key'),
      bucketPrefix: 'lost-',
    });
    const rotated = adminCliRunner({
      DATABASE_URL: database.url,
      TENANT_SECRET_KEYS: `${newKey},${masterKey}`,
    });
    const first = await rotated.admin('secrets', 'reseal');
    expect(first.code).toBe(1);
    expect(first.json).toMatchObject({
      resealed: 1,
      already_current: 0,
      failed: [{ tenant_id: 'lost-key', error: expect.stringContaining(`names master key`) }],
    });
    expect((await row()).s3SecretKeyEncrypted).toMatch(new RegExp(`^v2:${first.json.current_key_id}:`));
    expect(first.json.current_key_id).not.toBe(oldKey.id);
    const opened = new SecretBox([secretKey(Buffer.from(newKey, 'hex'))]).open(
      (await row()).s3SecretKeyEncrypted,
      tenantId,
    );
    // The refused update above left the secret of the AccessDenied step (or the created one).
    expect(opened).toBe(stack.s3.restrictedUser?.secretKey ?? stack.s3.tenants[0]!.secretKey);

    await handle.db.delete(tenants).where(eq(tenants.id, 'lost-key'));
    const second = await rotated.admin('secrets', 'reseal');
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ resealed: 0, already_current: 1, failed: [] });
  });
});
