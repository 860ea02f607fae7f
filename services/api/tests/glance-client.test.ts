import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { images, tasks } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

const run = promisify(execFile);
let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
});
afterAll(() => t?.close());

/**
 * Runs the real python-glanceclient CLI against the API (async: the API serves from this very process).
 * `--os-image-url` + `--os-auth-token` skip Keystone, exactly as operators use it.
 */
async function glance(...args: string[]): Promise<string> {
  return glanceAs(tenant.tokens.creator, ...args);
}

async function glanceAs(token: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      'glance',
      ['--os-image-api-version', '2', '--os-image-url', t.baseUrl, '--os-auth-token', token, ...args],
      { timeout: 60_000, env: { ...process.env, OS_CLOUD: '', OS_AUTH_URL: '' } },
    );
    return stdout;
  } catch (error) {
    // Surface what the client said, not just "Command failed".
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`glance ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

/** glanceclient prints `| Property | Value |` tables; this reads one back into a map. */
function propertyTable(stdout: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^\|\s*(\S+)\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (match?.[1] && match[1] !== 'Property') rows[match[1]] = match[2] ?? '';
  }
  return rows;
}

describe('python-glanceclient', () => {
  let importId: string;
  let exportId: string;

  it('creates an import task', async () => {
    const out = propertyTable(
      await glance(
        'task-create',
        '--type',
        'import',
        '--input',
        JSON.stringify({
          import_from: 'exports/my-excellent-image.vhd',
          image_properties: { name: 'My excellent custom image' },
        }),
      ),
    );
    expect(out.status).toBe('pending');
    expect(out.type).toBe('import');
    expect(out.message).toBe('None');
    importId = out.id ?? '';
    expect(importId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates an export task', async () => {
    const out = propertyTable(
      await glance(
        'task-create',
        '--type',
        'export',
        '--input',
        JSON.stringify({
          image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6',
          receiving_swift_container: 'exports',
        }),
      ),
    );
    expect(out.status).toBe('pending');
    expect(out.type).toBe('export');
    exportId = out.id ?? '';
  });

  it('shows tasks while processing (with progress) and after success (with result and expires_at)', async () => {
    await t.db
      .update(tasks)
      .set({
        status: 'processing',
        progress: {
          stage: 'upload',
          bytesDone: 1,
          bytesTotal: null,
          percent: null,
          updatedAt: new Date().toISOString(),
        },
      })
      .where(eq(tasks.id, exportId));
    expect(propertyTable(await glance('task-show', exportId))).toMatchObject({ status: 'processing' });

    const [image] = await t.db
      .insert(images)
      .values({
        tenantId: tenant.id,
        name: 'My excellent custom image',
        status: 'active',
        size: 512,
        sourceTaskId: importId,
      })
      .returning();
    await t.db
      .update(tasks)
      .set({ status: 'success', result: { image_id: image!.id }, expiresAt: sql`now() + interval '2 days'` })
      .where(eq(tasks.id, importId));
    const shown = propertyTable(await glance('task-show', importId));
    expect(shown).toMatchObject({ status: 'success', message: 'None' });
    expect(shown.result).toContain(image!.id);
    expect(shown.expires_at).toMatch(/Z$/);
  });

  it('lists tasks across pages (following next)', async () => {
    for (let i = 0; i < 3; i++) {
      await glance(
        'task-create',
        '--type',
        'import',
        '--input',
        JSON.stringify({ import_from: 'c/o', image_properties: { name: `n${i}` } }),
      );
    }
    const out = await glance('task-list', '--page-size', '2');
    for (const id of [importId, exportId]) expect(out).toContain(id);
    expect(out.split('\n').filter((line) => /^\| [0-9a-f-]{36} /.test(line))).toHaveLength(5);
    const failed = await glance(
      'task-list',
      '--status',
      'success',
      '--sort-key',
      'type',
      '--sort-dir',
      'asc',
    );
    expect(failed).toContain(importId);
    expect(failed).not.toContain(exportId);
  });

  it('lists and shows images', async () => {
    const [image] = await t.db.select().from(images).where(eq(images.sourceTaskId, importId));
    const list = await glance('image-list');
    expect(list).toContain(image!.id);
    expect(list).toContain('My excellent custom image');
    const shown = propertyTable(await glance('image-show', image!.id));
    expect(shown).toMatchObject({ id: image!.id, status: 'active', disk_format: 'vhd', size: '512' });
  });

  it('prints the API error message when a request fails', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(glance('task-show', missing)).rejects.toThrow(
      /No task with id '00000000-0000-4000-8000-000000000000'/,
    );
    const failure = await glance('task-show', missing).catch((error: Error) => error.message);
    expect(failure).not.toContain("has no attribute 'get'");
  });

  it('prints the 413 Over Limit message when a tenant limit is reached', async () => {
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 1 });
    const input = JSON.stringify({ import_from: 'c/o.vhd', image_properties: { name: 'over' } });
    const failure = await glance('task-create', '--type', 'import', '--input', input).catch(
      (error: Error) => error.message,
    );
    console.log(`[glance] over the limit: ${failure.split('\n').slice(1).join(' ').trim()}`);
    expect(failure).toMatch(/Over limit: max_pending_tasks is 1 and the tenant has \d+/);
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 100 });
  });
});

describe('python-glanceclient: update, tags and sharing', () => {
  const data = randomBytes(700_000);
  let imageId: string;
  let member: TestTenant;

  beforeAll(async () => {
    member = await t.createTestTenant();
    ({ id: imageId } = await t.storeActiveImage(tenant.id, data, 'to-share'));
  });

  it('image-update --name / --property, image-tag-update / image-tag-delete', async () => {
    const updated = propertyTable(
      await glance('image-update', '--name', 'renamed', '--property', 'os_distro=debian', imageId),
    );
    expect(updated).toMatchObject({ name: 'renamed', os_distro: 'debian' });
    await glance('image-tag-update', imageId, 'golden');
    expect(propertyTable(await glance('image-show', imageId)).tags).toContain('golden');
    await glance('image-tag-delete', imageId, 'golden');
    expect(propertyTable(await glance('image-show', imageId)).tags).not.toContain('golden');
  });

  it('member-create, member-update, member-list, image-list --member-status, image-download, member-delete', async () => {
    await glance('member-create', imageId, member.id);
    const pending = await glanceAs(member.tokens.creator, 'image-list', '--member-status', 'pending');
    expect(pending).toContain(imageId);
    expect(await glanceAs(member.tokens.creator, 'image-list')).not.toContain(imageId);
    await glanceAs(member.tokens.creator, 'member-update', imageId, member.id, 'accepted');
    expect(await glanceAs(member.tokens.creator, 'image-list')).toContain(imageId);
    const members = await glance('member-list', '--image-id', imageId);
    expect(members).toMatch(new RegExp(`${member.id}\\s*\\|\\s*accepted`));
    const dir = await mkdtemp(join(tmpdir(), 'glance-dl-'));
    try {
      const file = join(dir, 'image.vhd');
      await glanceAs(member.tokens.creator, 'image-download', '--file', file, imageId);
      expect(
        createHash('md5')
          .update(await readFile(file))
          .digest('hex'),
      ).toBe(createHash('md5').update(data).digest('hex'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await glance('member-delete', imageId, member.id);
    await expect(glanceAs(member.tokens.creator, 'image-show', imageId)).rejects.toThrow(/No image with id/);
  });
});
