import net from 'node:net';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';

/** Per-job deadline of this file: the base (the object's size is never learnt from a hung endpoint). */
const DEADLINE_MS = 3_000;
const SHUTDOWN_TIMEOUT_MS = 3_000;

let env: E2eEnv;
let fixtures: FixtureDir;
let hung: net.Server;
const hungSockets: net.Socket[] = [];
let hungTenant: ApiClient;
let importFromB: string;

beforeAll(async () => {
  // Accepts TCP, reads, never answers.
  hung = net.createServer((socket) => {
    hungSockets.push(socket);
    socket.on('error', () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const port = (hung.address() as net.AddressInfo).port;
  fixtures = new FixtureDir('e2e-hung-');
  env = await E2eEnv.start({
    worker: {
      JOB_DEADLINE_BASE_MS: String(DEADLINE_MS),
      // S3's own timeouts are longer than the deadline here, so it is the deadline that frees the slot.
      S3_REQUEST_TIMEOUT_MS: '30000',
      S3_SOCKET_TIMEOUT_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
  });
  const tenant = await env.admin<{ id: string }>(
    [
      'tenant',
      'create',
      '--name',
      'hung endpoint',
      '--s3-access-key',
      'ak',
      '--s3-endpoint',
      `http://127.0.0.1:${port}`,
      '--bucket-prefix',
      'hung-',
    ],
    { env: { TENANT_S3_SECRET_KEY: 'sk' } },
  );
  const token = await env.admin<{ token: string }>([
    'token',
    'create',
    '--tenant',
    tenant.id,
    '--role',
    'creator',
  ]);
  hungTenant = new ApiClient(env.apiUrl, token.token);
  const path = await fixtures.make('small.vhd', 'dynamic', '4M', [
    { pattern: 0x33, offset: '0', length: '64k' },
  ]);
  await env.tenantB.createContainer('src');
  importFromB = await env.tenantB.upload('src', 'small.vhd', path);
}, 300_000);

afterAll(async () => {
  await env?.stop();
  for (const socket of hungSockets) socket.destroy();
  hung?.close();
  await fixtures?.remove();
});

describe('a tenant endpoint that accepts TCP and never answers', () => {
  it('frees the slot within the deadline, retries, fails clearly; another tenant is served meanwhile', async () => {
    const hungTask = await hungTenant.createTask('import', {
      import_from: 'src/x.vhd',
      image_properties: { name: 'never' },
    });
    // Both worker slots: the hung task and B's imports share them.
    const bTasks = [];
    for (let i = 0; i < 4; i++) {
      bTasks.push(
        await env.tenantB.api.createTask('import', {
          import_from: importFromB,
          image_properties: { name: `b${i}` },
        }),
      );
    }
    const bStarted = Date.now();
    for (const task of bTasks)
      expect((await env.tenantB.api.waitForTask(task.id, 120_000)).status).toBe('success');
    const bMs = Date.now() - bStarted;

    const failed = await hungTenant.waitForTask(hungTask.id, 400_000);
    console.log(
      `[hung-endpoint] B's 4 imports done in ${bMs} ms while the hung task ran; hung task: ${failed.status} "${failed.message}"; ` +
        `connections accepted by the hung endpoint: ${hungSockets.length}`,
    );
    expect(failed.status).toBe('failure');
    expect(failed.message).toMatch(/did not finish within its deadline of 3 s/);
  }, 600_000);

  it('a worker holding such a job exits on SIGTERM within its shutdown deadline', async () => {
    await hungTenant.createTask('import', {
      import_from: 'src/y.vhd',
      image_properties: { name: 'never 2' },
    });
    // Wait until the job is running (its hung call holds a connection), then SIGTERM.
    const before = hungSockets.length;
    const until = Date.now() + 60_000;
    while (hungSockets.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(hungSockets.length).toBeGreaterThan(before);
    const started = Date.now();
    const exit = await env.workerProcess.stop();
    const tookMs = Date.now() - started;
    console.log(
      `[hung-endpoint] SIGTERM → worker exited ${JSON.stringify(exit)} after ${tookMs} ms (shutdown deadline ${SHUTDOWN_TIMEOUT_MS} ms)`,
    );
    expect(exit.code).toBe(0);
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);
    await env.startWorker();
  }, 120_000);
});
