import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

const run = promisify(execFile);
const membersScript = fileURLToPath(new URL('./support/openstacksdk-members.py', import.meta.url));
let t: TestApi;
let owner: TestTenant;
let member: TestTenant;
let imageId: string;
const data = randomBytes(600_000);
const md5 = createHash('md5').update(data).digest('hex');

beforeAll(async () => {
  t = await startTestApi();
  owner = await t.createTestTenant();
  member = await t.createTestTenant();
  ({ id: imageId } = await t.storeActiveImage(owner.id, data, 'os-image'));
});
afterAll(() => t?.close());

/** Runs a real OpenStack client (Debian's python3-openstackclient) with a token, pointed at the API's root URL. */
async function client(command: string, args: string[], token = owner.tokens.creator): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OS_AUTH_TYPE: 'admin_token',
    OS_TOKEN: token,
    // The API's root URL, as an operator would give it. admin_token hands OS_ENDPOINT to every service as-is and
    // the CLI pins image API v2, so Debian 12's openstacksdk (0.101) asks for <root>/images without discovery:
    // the API serves unversioned resource paths as v2 for this (versions/unversioned-paths.ts). Unpinned
    // openstacksdk discovers /v2/ from the same root URL: see the member flow below.
    OS_ENDPOINT: t.baseUrl,
  };
  try {
    const { stdout } = await run(command, args, { timeout: 120_000, env });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}
const openstack = (...args: string[]) => client('openstack', args);
const showJson = async (id: string) => JSON.parse(await openstack('image', 'show', '-f', 'json', id));

describe('the openstack CLI with a token', () => {
  it('image list and image show', async () => {
    const list = JSON.parse(await openstack('image', 'list', '-f', 'json'));
    expect(list).toEqual(
      expect.arrayContaining([expect.objectContaining({ ID: imageId, Name: 'os-image' })]),
    );
    expect(await showJson(imageId)).toMatchObject({ id: imageId, name: 'os-image', status: 'active' });
  });

  it('image set --name --tag --property --min-disk, then image unset', async () => {
    await openstack(
      'image',
      'set',
      '--name',
      'os-renamed',
      '--tag',
      'gold',
      '--property',
      'os_distro=debian',
      '--min-disk',
      '5',
      imageId,
    );
    const shown = await showJson(imageId);
    expect(shown).toMatchObject({ name: 'os-renamed', min_disk: 5 });
    expect(shown.tags).toContain('gold');
    expect(JSON.stringify(shown.properties ?? shown)).toContain('debian');
    await openstack('image', 'unset', '--tag', 'gold', '--property', 'os_distro', imageId);
    const unset = await showJson(imageId);
    expect(unset.tags).not.toContain('gold');
    expect(JSON.stringify(unset.properties ?? {})).not.toContain('debian');
  });

  it('image save downloads the data with a matching MD5', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openstack-save-'));
    try {
      const file = join(dir, 'image.vhd');
      await openstack('image', 'save', '--file', file, imageId);
      expect(
        createHash('md5')
          .update(await readFile(file))
          .digest('hex'),
      ).toBe(md5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("openstacksdk's image proxy", () => {
  it('discovers v2 from the root URL, adds a member, which sees it pending and accepts it; the owner lists and removes it', async () => {
    const out = await client('/usr/bin/python3', [
      membersScript,
      t.baseUrl,
      owner.tokens.creator,
      member.tokens.creator,
      imageId,
      member.id,
    ]);
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      added: 'pending',
      pending: true,
      accepted: 'accepted',
      listed: [[member.id, 'accepted']],
      visible: true,
      after: [],
    });
  });
});
