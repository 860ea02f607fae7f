import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  createObjectStoreFactory,
  defaultObjectStoreTimeouts,
  type ObjectStore,
  UUID_PATTERN,
} from '@cloud-images/shared';
import { freePorts } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image, Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { fileHash } from '../support/file-hash.js';

const CLI = fileURLToPath(new URL('../../../packages/cli/dist/cli.js', import.meta.url));
/** Terminal control sequences and cli-progress' bar glyphs: none may appear when stdout is not a TTY. */
const BAR_OR_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[|[█░]`);

let env: E2eEnv;
let fixtures: FixtureDir;
let tenantStore: ObjectStore;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built CLI with pipes (so not a TTY) and the tenant's settings in its environment only. */
function startCli(args: string[], extraEnv: Record<string, string> = {}, stdin?: string) {
  return startCliWith(process.execPath, [CLI, ...args], extraEnv, stdin);
}

function startCliWith(file: string, args: string[], extraEnv: Record<string, string> = {}, stdin?: string) {
  const child = spawn(file, args, {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      CLOUD_IMAGES_API_URL: env.apiUrl,
      CLOUD_IMAGES_TOKEN: env.tenantA.api.token,
      CLOUD_IMAGES_S3_ENDPOINT: env.stack.s3.endpoint,
      CLOUD_IMAGES_S3_REGION: env.stack.s3.region,
      CLOUD_IMAGES_S3_ACCESS_KEY: env.tenantA.creds.accessKey,
      CLOUD_IMAGES_S3_SECRET_KEY: env.tenantA.creds.secretKey,
      CLOUD_IMAGES_BUCKET_PREFIX: env.tenantA.bucketPrefix,
      ...extraEnv,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(stdin ?? '');
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr.on('data', (d) => {
    out.stderr += d;
  });
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, ...out })));
  return { child, done, out };
}

const cli = (args: string[], extraEnv?: Record<string, string>, stdin?: string) =>
  startCli(args, extraEnv, stdin).done;

async function image(id: string): Promise<Image> {
  const res = await env.tenantA.api.getImage(id);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-cli-');
  env = await E2eEnv.start();
  tenantStore = createObjectStoreFactory(defaultObjectStoreTimeouts)({
    endpoint: env.stack.s3.endpoint,
    region: env.stack.s3.region,
    accessKey: env.tenantA.creds.accessKey,
    secretKey: env.tenantA.creds.secretKey,
  });
});

afterAll(async () => {
  await env?.stop();
  await fixtures?.remove();
});

describe('cloud-images CLI against the real API, worker and S3', () => {
  it('answers --help on stdout with exit 0, and an unknown flag with exit 64', async () => {
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^cloud-images: import and export VHD disk images/);
    for (const command of ['import', 'export', 'tasks', 'watch', 'images', 'image', 'share']) {
      const own = await cli([command, '--help']);
      expect(own.code, command).toBe(0);
      expect(own.stdout, command).toMatch(new RegExp(`^Usage: cloud-images ${command}`));
    }
    const bad = await cli(['images', '--bogus']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^cloud-images: Unknown option '--bogus'/);
  });

  it('imports a valid VHD (non-TTY): plain lines, no bars, the image id on stdout; the image is active with its MD5', async () => {
    const path = await fixtures.make('cli-dynamic.vhd', 'dynamic', '48M', [
      { offset: '1M', length: '3M', pattern: 0x5a },
    ]);
    const run = await cli(['import', path, '--name', 'cli-disk']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${UUID_PATTERN.source.slice(1, -1)}\\n$`));
    expect(run.stdout + run.stderr).not.toMatch(BAR_OR_ESCAPE);
    expect(run.stderr).toMatch(/valid dynamic VHD/);
    expect(run.stderr).toMatch(/uploaded \d+ bytes to cloud-images-uploads\/cli-dynamic\.vhd/);
    expect(run.stderr).toMatch(/: success/);
    const imageId = run.stdout.trim();
    expect(await image(imageId)).toMatchObject({
      id: imageId,
      name: 'cli-disk',
      status: 'active',
      checksum: await fileHash(path, 'md5'),
    });
    // The default container was created and holds the upload.
    const uploaded = await tenantStore.stat(env.tenantA.bucketFor('cloud-images-uploads'), 'cli-dynamic.vhd');
    expect(uploaded.size).toBe((await stat(path)).size);
  });

  it('on a terminal draws progress bars: upload bytes with MB/s and ETA, then the task (util-linux script gives a pty)', async () => {
    const path = await fixtures.make('cli-tty.vhd', 'dynamic', '32M', [
      { offset: '0', length: '8M', pattern: 0x33 },
    ]);
    // `script` runs the CLI on a pseudo-terminal and copies what it draws to our pipe.
    const run = await new Promise<CliRun>((resolve) => {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} import ${JSON.stringify(path)} --name tty --container cli-tty`;
      const { done } = startCliWith('script', ['-qefc', command, '/dev/null']);
      done.then(resolve);
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(BAR_OR_ESCAPE);
    expect(run.stdout).toMatch(/upload \|[█░]+\| 100% \| [\d.]+\/[\d.]+ MB \| [\d.]+ MB\/s \| ETA/);
    expect(run.stdout).toMatch(/\| 100% \| /);
    expect(run.stdout).toMatch(new RegExp(`${UUID_PATTERN.source.slice(1, -1)}\\s*$`));
  });

  it('--json prints the final task as JSON; the token can come from --token-file -', async () => {
    const path = await fixtures.make('cli-fixed.vhd', 'fixed', '16M');
    await env.tenantA.createContainer('cli-json');
    const run = await cli(
      ['import', path, '--name', 'cli-json-disk', '--container', 'cli-json', '--json', '--token-file', '-'],
      { CLOUD_IMAGES_TOKEN: '' },
      `${env.tenantA.api.token}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const task = JSON.parse(run.stdout) as Task;
    expect(task).toMatchObject({
      type: 'import',
      status: 'success',
      input: { import_from: 'cli-json/cli-fixed.vhd', image_properties: { name: 'cli-json-disk' } },
      result: { image_id: expect.stringMatching(UUID_PATTERN) },
    });
    const imageId = task.result!['image_id'] as string;
    expect(await image(imageId)).toMatchObject({ status: 'active', checksum: await fileHash(path, 'md5') });
    // The other read commands see it.
    const images = await cli(['images', '--json']);
    expect(JSON.parse(images.stdout).images.map((i: { id: string }) => i.id)).toContain(imageId);
    const one = await cli(['image', imageId]);
    expect(one.stdout).toMatch(new RegExp(`^id: ${imageId}$`, 'm'));
    const tasks = await cli(['tasks', '--status', 'success', '--json']);
    expect(JSON.parse(tasks.stdout).tasks.map((t: { id: string }) => t.id)).toContain(task.id);
    const watched = await cli(['watch', task.id, '--json']);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id: task.id, status: 'success' });
  });

  it('exports an image and downloads the exported VHD (--download), printing the final task with --json', async () => {
    const path = await fixtures.make('cli-export-src.vhd', 'fixed', '8M');
    const imported = await cli(['import', path, '--name', 'to-export', '--container', 'cli-export-src']);
    expect(imported.code, imported.stderr).toBe(0);
    const imageId = imported.stdout.trim();
    await env.tenantA.createContainer('cli-exports');
    const target = fixtures.file('downloaded.vhd');
    const run = await cli(['export', imageId, '--container', 'cli-exports', '--download', target, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const task = JSON.parse(run.stdout) as Task;
    expect(task).toMatchObject({
      type: 'export',
      status: 'success',
      result: { export_location: `cli-exports/${imageId}.vhd` },
    });
    const exported = await tenantStore.stat(env.tenantA.bucketFor('cli-exports'), `${imageId}.vhd`);
    expect((await stat(target)).size).toBe(exported.size);
    // The download is a VHD the local check accepts.
    const again = await cli(['import', target, '--name', 'round-trip', '--container', 'cli-export-src']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('shares an image with another tenant, who then sees it as pending; sharing twice is a conflict', async () => {
    const path = await fixtures.make('cli-share.vhd', 'dynamic', '8M', [
      { offset: '1M', length: '1M', pattern: 0x33 },
    ]);
    const imported = await cli(['import', path, '--name', 'cli-share']);
    expect(imported.code, imported.stderr).toBe(0);
    const imageId = imported.stdout.trim();
    const shared = await cli(['share', imageId, env.tenantB.id]);
    expect(shared, shared.stderr).toMatchObject({
      code: 0,
      stdout: `shared ${imageId} with ${env.tenantB.id}: pending\n`,
    });
    const pending = await env.tenantB.api.request('GET', '/v2/images?member_status=pending');
    expect((pending.body as { images: Image[] }).images.map((i) => i.id)).toContain(imageId);
    const again = await cli(['share', imageId, env.tenantB.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409/);
  });

  it('fails a corrupt VHD before uploading a byte, with its Rackspace code, leaving the container empty', async () => {
    const container = await env.tenantA.createContainer('cli-corrupt');
    const tasksBefore = await taskCount();
    const path = fixtures.file('corrupt.vhd');
    await writeFile(path, randomBytes(3 * 1024 * 1024));
    const run = await cli(['import', path, '--name', 'bad', '--container', container]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'cloud-images: 396: The image cannot be imported. The file is not a valid VHD.\n',
    );
    const bucket = env.tenantA.bucketFor(container);
    expect(await env.tenantA.s3.listObjectsV2(bucket, '', true).toArray()).toEqual([]);
    expect(await tenantStore.listIncompleteUploads(bucket, '')).toEqual([]);
    expect(await taskCount()).toBe(tasksBefore);
  });

  it('SIGINT in the middle of an upload aborts it: exit 130, no incomplete multipart upload, no object', async () => {
    const container = await env.tenantA.createContainer('cli-interrupt');
    const bucket = env.tenantA.bucketFor(container);
    // Big enough that the upload is still running when the signal lands (about 100 MB/s here).
    const path = await fixtures.make('big.vhd', 'fixed', '768M');
    const running = startCli(['import', path, '--name', 'big', '--container', container]);
    await waitFor(
      async () => (await tenantStore.listIncompleteUploads(bucket, 'big.vhd')).length > 0,
      running.child,
    );
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/cloud-images: interrupted: the upload was aborted/);
    expect(await tenantStore.listIncompleteUploads(bucket, '')).toEqual([]);
    expect(await env.tenantA.s3.listObjectsV2(bucket, '', true).toArray()).toEqual([]);
  });

  it('reports a bad token, an unknown image and an unreachable API as one line with a non-zero exit', async () => {
    const badToken = await cli(['images'], { CLOUD_IMAGES_TOKEN: 'not-a-token' });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^cloud-images: the API rejected the token \(401\)[^\n]*\n$/);
    const unknown = await cli(['image', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^cloud-images: GET \/v2\/images\/0{8}-0{4}-4000-8000-0{12} failed \(404\)[^\n]*\n$/,
    );
    const [closedPort] = await freePorts(1);
    const down = await cli(['tasks'], { CLOUD_IMAGES_API_URL: `http://127.0.0.1:${closedPort}` });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `cloud-images: cannot reach the API at http://127.0.0.1:${closedPort}: ECONNREFUSED\n`,
    );
  });
});

async function taskCount(): Promise<number> {
  return (await env.tenantA.api.request<{ tasks: Task[] }>('GET', '/v2/tasks')).body.tasks.length;
}

/** Polls `check` until true; fails if the CLI exits first (the upload finished before we could interrupt it). */
async function waitFor(check: () => Promise<boolean>, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (child.exitCode !== null)
      throw new Error(`the CLI exited (${child.exitCode}) before the upload was seen`);
    if (Date.now() > deadline) throw new Error('no multipart upload appeared within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
