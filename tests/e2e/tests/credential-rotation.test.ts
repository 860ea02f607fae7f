import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import {
  createDatabase,
  createRedisConnection,
  type DatabaseHandle,
  sealV1,
  TaskMessage,
} from '@cloud-images/shared';
import { uniqueName } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRun } from '../support/e2e-env.js';
import { E2eEnv, type Tenant } from '../support/e2e-env.js';

/**
 * Issue 15: rotating a tenant's S3 credentials and the master key, with the real admin CLI, API and worker
 * processes on real Postgres, Redis and Swift S3. The steps build on each other, so they run in order.
 */

let env: E2eEnv;
let fixtures: FixtureDir;
let db: DatabaseHandle;
let vhdObject: { A: string; B: string };
const oldMasterKey = () => env.env['TENANT_SECRET_KEY']!;
const newMasterKey = randomBytes(32).toString('hex');
const wrongSecret = `wrong-${randomBytes(8).toString('hex')}`;
/** Everything the CLI printed, for the "no secret anywhere" check at the end. */
const cliOutput: string[] = [];
/** The logs of worker processes already replaced. */
const earlierWorkerLogs: string[] = [];

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-rotation-');
  env = await E2eEnv.start();
  db = createDatabase({ url: env.env['DATABASE_URL']!, poolMax: 1 });
  const path = await fixtures.make('rotation.vhd', 'fixed', '8M');
  await env.tenantA.createContainer('rot');
  await env.tenantB.createContainer('rot');
  vhdObject = {
    A: await env.tenantA.upload('rot', 'disk.vhd', path),
    B: await env.tenantB.upload('rot', 'disk.vhd', path),
  };
});

afterAll(async () => {
  await db?.close();
  await env?.stop();
  await fixtures?.remove();
});

async function cli(args: string[], options?: Parameters<E2eEnv['runAdmin']>[1]): Promise<AdminRun> {
  const result = await env.runAdmin(args, options);
  cliOutput.push(result.stdout, result.stderr);
  return result;
}

async function sealedSecretOf(tenantId: string): Promise<string> {
  const { rows } = await db.pool.query('select s3_secret_key_encrypted from tenants where id = $1', [
    tenantId,
  ]);
  return (rows[0] as { s3_secret_key_encrypted: string }).s3_secret_key_encrypted;
}

async function setSealedSecret(tenantId: string, sealed: string): Promise<void> {
  await db.pool.query('update tenants set s3_secret_key_encrypted = $2 where id = $1', [tenantId, sealed]);
}

function importAs(tenant: Tenant, tenantKey: 'A' | 'B') {
  return tenant.api.runTask('import', {
    import_from: vhdObject[tenantKey],
    image_properties: { name: uniqueName('rotated') },
  });
}

async function restartWorkerWithKeys(keys: string): Promise<void> {
  earlierWorkerLogs.push(env.workerProcess.log.text);
  // '' unsets TENANT_SECRET_KEY (empty counts as unset), so only the keyring is configured.
  await env.restartWorker({ TENANT_SECRET_KEYS: keys, TENANT_SECRET_KEY: '' });
}

const keyringEnv = (keys: string) => ({ env: { TENANT_SECRET_KEYS: keys, TENANT_SECRET_KEY: '' } });

describe('no secrets on argv', () => {
  it('refuses --s3-secret-key VALUE with exit 64 naming the safe forms, and reads the secret from stdin', async () => {
    const creds = env.stack.s3.tenants[2]!;
    const refused = await cli([
      'tenant',
      'create',
      '--name',
      'argv-secret',
      '--s3-access-key',
      creds.accessKey,
      '--s3-secret-key',
      creds.secretKey,
    ]);
    expect(refused.code).toBe(64);
    const error = JSON.parse(refused.stderr.split('\n')[0]!).error as string;
    expect(error).toContain('--s3-secret-key-file PATH');
    expect(error).toContain('--s3-secret-key-file - (stdin)');
    expect(error).toContain('TENANT_S3_SECRET_KEY');

    const fromStdin = await cli(
      [
        'tenant',
        'create',
        '--name',
        'stdin-secret',
        '--s3-access-key',
        creds.accessKey,
        '--s3-secret-key-file',
        '-',
        '--bucket-prefix',
        `${uniqueName('tc')}-`,
      ],
      { stdin: `${creds.secretKey}\n` },
    );
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
  });
});

describe('tenant S3 credential rotation', () => {
  it('moves tenant A to a second key pair of its account: the next import succeeds, signed with the new key', async () => {
    const second = env.stack.s3.tenantSecondUsers[0]!;
    const secretFile = fixtures.file('second-user.secret');
    await writeFile(secretFile, `${second.secretKey}\n`);
    await chmod(secretFile, 0o600);
    const updated = await cli([
      'tenant',
      'update',
      env.tenantA.id,
      '--s3-access-key',
      second.accessKey,
      '--s3-secret-key-file',
      secretFile,
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).credentials_verification).toMatch(/^accepted/);

    const logBefore = await accessLog();
    const task = await importAs(env.tenantA, 'A');
    expect(task, JSON.stringify(task)).toMatchObject({ status: 'success' });
    if (env.stack.s3.accessLogPath) {
      // Swift's access log: the requests for the object after the update carry the second user's key.
      const lines = (await accessLog()).slice(logBefore.length).split('\n');
      const forObject = lines.filter((line) => line.includes(`/${env.tenantA.bucketFor('rot')}/disk.vhd`));
      expect(forObject.length).toBeGreaterThan(0);
      for (const line of forObject) expect(line).toMatch(credentialOf(second.accessKey));
    }
  });

  it('refuses a wrong secret and changes nothing, unless --no-verify; then the import fails once, clearly', async () => {
    const second = env.stack.s3.tenantSecondUsers[0]!;
    const sealedBefore = await sealedSecretOf(env.tenantA.id);
    const refused = await cli(
      ['tenant', 'update', env.tenantA.id, '--s3-access-key', second.accessKey, '--s3-secret-key-file', '-'],
      { stdin: wrongSecret },
    );
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr.split('\n')[0]!).error).toMatch(
      /SignatureDoesNotMatch.*nothing changed/,
    );
    expect(await sealedSecretOf(env.tenantA.id)).toBe(sealedBefore);

    const forced = await cli(
      [
        'tenant',
        'update',
        env.tenantA.id,
        '--s3-access-key',
        second.accessKey,
        '--s3-secret-key-file',
        '-',
        '--no-verify',
      ],
      { stdin: wrongSecret },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).credentials_verification).toMatch(/skipped/);

    const task = await importAs(env.tenantA, 'A');
    expect(task).toMatchObject({ status: 'failure', message: TaskMessage.tenantCredentialsRejected });
    // Failed for good on the first attempt: no retry with backoff.
    const log = env.workerProcess.log.text;
    expect(log).not.toMatch(new RegExp(`${task.id}.*will be retried`));
    expect(log).toContain('SignatureDoesNotMatch');

    // Back to the valid second key pair, through the documented environment variable this time.
    const restored = await cli(['tenant', 'update', env.tenantA.id, '--s3-access-key', second.accessKey], {
      env: { TENANT_S3_SECRET_KEY: second.secretKey },
    });
    expect(restored.code, restored.stderr).toBe(0);
  });
});

describe('master-key rotation', () => {
  it('reads old-key and v1 secrets with [new, old]; after reseal, [new] alone; a second reseal changes nothing', async () => {
    // Tenant B's row as the pre-keyring code sealed it: v1, no key id, no tenant binding.
    await setSealedSecret(
      env.tenantB.id,
      sealV1(Buffer.from(oldMasterKey(), 'hex'), env.stack.s3.tenants[1]!.secretKey),
    );
    const both = `${newMasterKey},${oldMasterKey()}`;
    await restartWorkerWithKeys(both);
    expect(await importAs(env.tenantA, 'A')).toMatchObject({ status: 'success' });
    expect(await importAs(env.tenantB, 'B')).toMatchObject({ status: 'success' });

    const first = await cli(['secrets', 'reseal', '--actor', 'rotator'], keyringEnv(both));
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ resealed: 3, already_current: 0, failed: [] });
    const second = await cli(['secrets', 'reseal'], keyringEnv(both));
    expect(JSON.parse(second.stdout)).toMatchObject({ resealed: 0, already_current: 3, failed: [] });
    expect(await sealedSecretOf(env.tenantB.id)).toMatch(/^v2:/);

    await restartWorkerWithKeys(newMasterKey);
    expect(await importAs(env.tenantA, 'A')).toMatchObject({ status: 'success' });
    expect(await importAs(env.tenantB, 'B')).toMatchObject({ status: 'success' });
  });

  it("fails the task clearly when a sealed secret is copied to another tenant's row", async () => {
    const ownSealed = await sealedSecretOf(env.tenantB.id);
    await setSealedSecret(env.tenantB.id, await sealedSecretOf(env.tenantA.id));
    try {
      const task = await importAs(env.tenantB, 'B');
      expect(task).toMatchObject({ status: 'failure', message: TaskMessage.tenantCredentialsUnreadable });
      expect(env.workerProcess.log.text).toContain('sealed for another tenant');
      expect(env.workerProcess.running).toBe(true);
    } finally {
      await setSealedSecret(env.tenantB.id, ownSealed);
    }
  });
});

describe('audit trail and logs', () => {
  it('records each mutation, and no audit row, log line or CLI output holds a secret', async () => {
    const listed = await cli(['audit', 'list']);
    const events = JSON.parse(listed.stdout).events as {
      action: string;
      target: string;
      changed_fields: string[];
    }[];
    const ofA = events.filter((e) => e.action === 'tenant.update' && e.target === env.tenantA.id);
    // Rotate, --no-verify, restore; the refused update left no row.
    expect(ofA.map((e) => e.changed_fields)).toEqual([
      ['s3_access_key', 's3_secret_key'],
      ['s3_access_key', 's3_secret_key'],
      ['s3_access_key', 's3_secret_key'],
    ]);
    expect(events.filter((e) => e.action === 'secrets.reseal')).toHaveLength(3);
    expect(events.filter((e) => e.action === 'tenant.create')).toHaveLength(3);

    const { rows: tasks } = await db.pool.query('select input, last_error, result, message from tasks');
    const jobs = await jobHashes();
    // Jobs carry the task id and nothing else; there were some (not vacuous).
    expect(jobs.filter((job) => job.data !== undefined).length).toBeGreaterThan(0);
    const everything = [
      ...cliOutput,
      ...earlierWorkerLogs,
      env.workerProcess.log.text,
      env.apiProcess.log.text,
      JSON.stringify(events),
      JSON.stringify(tasks),
      JSON.stringify(jobs),
    ].join('\n');
    const secrets = [
      ...env.stack.s3.tenants.map((c) => c.secretKey),
      ...env.stack.s3.tenantSecondUsers.map((c) => c.secretKey),
      env.stack.s3.service.secretKey,
      wrongSecret,
      oldMasterKey(),
      newMasterKey,
    ];
    for (const secret of secrets) expect(everything.includes(secret), 'a secret leaked').toBe(false);
  });
});

function credentialOf(accessKey: string): RegExp {
  return new RegExp(`Credential(=|%3D)${accessKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`);
}

async function accessLog(): Promise<string> {
  return env.stack.s3.accessLogPath ? readFile(env.stack.s3.accessLogPath, 'utf8') : '';
}

/** Every BullMQ job hash of this file's queues (data, options, failure reasons), as stored in Redis. */
async function jobHashes(): Promise<Record<string, string>[]> {
  const redis = createRedisConnection(env.env['REDIS_URL']!, 'producer', { enableOfflineQueue: true });
  try {
    const keys = await redis.keys(`${env.env['QUEUE_PREFIX']!}:*`);
    const hashes: Record<string, string>[] = [];
    for (const key of keys) {
      if ((await redis.type(key)) === 'hash') hashes.push(await redis.hgetall(key));
    }
    return hashes;
  } finally {
    await redis.quit();
  }
}
