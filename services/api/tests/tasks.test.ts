import { jobIdForTask, QueueName, tasks } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportBody,
  importBody,
  startTestApi,
  type TestApi,
  type TestTenant,
  TIMESTAMP,
} from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  // No worker runs here: a fake capacity lets the dispatcher hand each task to the queue.
  await t.setTenantLimits(tenant.id, { maxActiveTasks: 1000 });
  await t.fakeWorkerCapacity(1000);
});
afterAll(() => t?.close());

describe('POST /v2/tasks', () => {
  it('creates a pending import task: 201, Location, the seed fields, and one queued job', async () => {
    const res = await t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody() });
    expect(res.status).toBe(201);
    const task = res.json;
    expect(res.headers.get('location')).toBe(`/v2/tasks/${task.id}`);
    expect(Object.keys(task).sort()).toEqual(
      [
        'created_at',
        'id',
        'input',
        'message',
        'owner',
        'schema',
        'self',
        'status',
        'type',
        'updated_at',
      ].sort(),
    );
    expect(task).toMatchObject({
      type: 'import',
      status: 'pending',
      message: 'None',
      owner: tenant.id,
      input: importBody().input,
      self: `/v2/tasks/${task.id}`,
      schema: '/v2/schemas/task',
    });
    expect(task.created_at).toMatch(TIMESTAMP);
    expect(task.updated_at).toMatch(TIMESTAMP);
    await expect
      .poll(() => queueJob(task.id, QueueName.import), { timeout: 10_000 })
      .toMatchObject({ id: jobIdForTask(task.id), data: { taskId: task.id } });
  });

  it('creates an export task (format optional) that GET returns unchanged', async () => {
    const body = { type: 'export', input: { ...exportBody().input, format: 'fixed' } };
    const created = await t.request('POST', '/v2/tasks', { token: tenant.tokens.admin, body });
    expect(created.status).toBe(201);
    const shown = await t.request('GET', `/v2/tasks/${created.json.id}`, { token: tenant.tokens.observer });
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(created.json);
  });

  it('creates an import with extra image properties already failed, with the documented message, and no job', async () => {
    const body = {
      type: 'import',
      input: { import_from: 'c/o.vhd', image_properties: { name: 'x', os_type: 'linux' } },
    };
    const res = await t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      status: 'failure',
      message: 'Unsupported element in image_properties, please consult the documentation.',
    });
    expect(res.json.expires_at).toMatch(TIMESTAMP);
    expect(res.json).not.toHaveProperty('result');
    await new Promise((r) => setTimeout(r, 500));
    expect(await queueJob(res.json.id, QueueName.import)).toBeUndefined();
  });
});

async function queueJob(taskId: string, queue: string) {
  // The API's own queue objects are internal; a job is looked up by its derived id through a throwaway Queue.
  const { Queue } = await import('bullmq');
  const q = new Queue(queue, { connection: { url: t.config.REDIS_URL }, prefix: t.config.QUEUE_PREFIX });
  try {
    const job = await q.getJob(jobIdForTask(taskId));
    return job ? { id: job.id, data: job.data } : undefined;
  } finally {
    await q.close();
  }
}

describe('GET /v2/tasks/{id}', () => {
  it('shows result only on success and expires_at only when terminal', async () => {
    const { json: task } = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody(),
    });
    const imageId = '1d944ab7-6748-4f3c-b7e2-3553bf006677';
    await t.db
      .update(tasks)
      .set({
        status: 'success',
        result: { image_id: imageId },
        expiresAt: sql`now() + interval '2 days'`,
      })
      .where(eq(tasks.id, task.id));
    const res = await t.request('GET', `/v2/tasks/${task.id}`, { token: tenant.tokens.observer });
    expect(res.json).toMatchObject({ status: 'success', message: 'None', result: { image_id: imageId } });
    expect(res.json.expires_at).toMatch(TIMESTAMP);
  });

  it('renders progress while processing', async () => {
    const { json: task } = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody(),
    });
    await t.db
      .update(tasks)
      .set({
        status: 'processing',
        progress: {
          stage: 'upload',
          bytesDone: 5,
          bytesTotal: 10,
          percent: 50,
          updatedAt: new Date().toISOString(),
        },
      })
      .where(eq(tasks.id, task.id));
    const res = await t.request('GET', `/v2/tasks/${task.id}`, { token: tenant.tokens.observer });
    expect(res.json.progress).toEqual({ stage: 'upload', bytes_done: 5, bytes_total: 10, percent: 50 });
    expect(res.json).not.toHaveProperty('expires_at');
  });

  it('gives 404 for unknown and malformed ids, and for an expired task (also left out of the list)', async () => {
    const unknown = await t.request('GET', '/v2/tasks/00000000-0000-4000-8000-000000000000', {
      token: tenant.tokens.admin,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 404, title: 'Not Found' });
    expect((await t.request('GET', '/v2/tasks/not-a-uuid', { token: tenant.tokens.admin })).status).toBe(404);

    const { json: task } = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody(),
    });
    await t.db
      .update(tasks)
      .set({ status: 'failure', message: 'x', expiresAt: sql`now() - interval '1 second'` })
      .where(eq(tasks.id, task.id));
    expect((await t.request('GET', `/v2/tasks/${task.id}`, { token: tenant.tokens.admin })).status).toBe(404);
    const list = await t.request('GET', '/v2/tasks?limit=100', { token: tenant.tokens.admin });
    expect(list.json.tasks.map((x: { id: string }) => x.id)).not.toContain(task.id);
  });

  it('answers DELETE with 405 and Allow: GET', async () => {
    const { json: task } = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      body: importBody(),
    });
    const res = await t.request('DELETE', `/v2/tasks/${task.id}`, { token: tenant.tokens.admin });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.json.error).toMatchObject({ code: 405, title: 'Method Not Allowed' });
  });
});

describe('GET /v2/tasks', () => {
  let listTenant: TestTenant;
  const ids: string[] = [];

  beforeAll(async () => {
    listTenant = await t.createTestTenant();
    for (let i = 0; i < 5; i++) {
      const body = i % 2 === 0 ? importBody(`image ${i}`) : exportBody();
      const res = await t.request('POST', '/v2/tasks', { token: listTenant.tokens.creator, body });
      ids.push(res.json.id);
    }
  });

  it('lists stubs newest first with first link and schema, and no next on a short page', async () => {
    const res = await t.request('GET', '/v2/tasks', { token: listTenant.tokens.observer });
    expect(res.status).toBe(200);
    expect(res.json.tasks.map((x: { id: string }) => x.id)).toEqual([...ids].reverse());
    for (const stub of res.json.tasks) {
      expect(stub).not.toHaveProperty('input');
      expect(stub).not.toHaveProperty('result');
      expect(stub).not.toHaveProperty('message');
      expect(stub).toHaveProperty('self');
    }
    expect(res.json.first).toBe('/v2/tasks');
    expect(res.json.schema).toBe('/v2/schemas/tasks');
    expect(res.json).not.toHaveProperty('next');
  });

  it('pages with limit and marker, following next until the end', async () => {
    const seen: string[] = [];
    let path: string | undefined = '/v2/tasks?limit=2&sort_dir=asc';
    let pages = 0;
    while (path) {
      const res = await t.request('GET', path, { token: listTenant.tokens.observer });
      expect(res.status).toBe(200);
      seen.push(...res.json.tasks.map((x: { id: string }) => x.id));
      expect(res.json.first).toBe('/v2/tasks?limit=2&sort_dir=asc');
      path = res.json.next;
      pages++;
    }
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('filters by type and status and sorts by any allowed key', async () => {
    const exports = await t.request('GET', '/v2/tasks?type=export', { token: listTenant.tokens.observer });
    expect(exports.json.tasks).toHaveLength(2);
    expect(exports.json.tasks.every((x: { type: string }) => x.type === 'export')).toBe(true);
    const pending = await t.request('GET', '/v2/tasks?status=pending&sort_key=status&sort_dir=asc', {
      token: listTenant.tokens.observer,
    });
    expect(pending.json.tasks).toHaveLength(5);
    expect(
      (await t.request('GET', '/v2/tasks?status=success', { token: listTenant.tokens.observer })).json.tasks,
    ).toEqual([]);
  });

  it.each([
    ['status=done', /status 'done'/],
    ['type=copy', /type 'copy'/],
    ['sort_dir=sideways', /sort_dir 'sideways'/],
    ['sort_key=owner', /sort_key 'owner'/],
    ['limit=0', /limit '0'/],
    ['limit=101', /limit '101'/],
    ['marker=nope', /marker 'nope'/],
    ['marker=00000000-0000-4000-8000-000000000000', /no such task/],
  ])('rejects %s with a 400 naming it', async (query, message) => {
    const res = await t.request('GET', `/v2/tasks?${query}`, { token: listTenant.tokens.observer });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(400);
    expect(res.json.error.message).toMatch(message);
  });
});
