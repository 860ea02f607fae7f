import { images, TaskOutcomeWriter, tasks, tenants } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countImagesHeld } from '../src/admin/tenant-limit-commands.js';
import { exportBody, importBody, startTestApi, type TestApi } from './support/api-harness.js';

// tenant_usage is what admission reads; these tests hold it to the row counts it replaces, through every kind
// of change the services make (and a few only an operator makes).
let t: TestApi;
let outcomes: TaskOutcomeWriter;

beforeAll(async () => {
  t = await startTestApi();
  outcomes = new TaskOutcomeWriter(t.db, 3600);
});
afterAll(() => t?.close());

interface Usage {
  pending: number;
  images: number;
}

async function usageFromCounters(tenantId: string): Promise<Usage> {
  const { rows } = await t.db.execute(
    sql`select coalesce(sum(unfinished_tasks), 0)::int as pending, coalesce(sum(images_held), 0)::int as images
        from tenant_usage where tenant_id = ${tenantId}`,
  );
  const row = rows[0] as { pending: number; images: number };
  return { pending: row.pending, images: row.images };
}

async function usageFromRows(tenantId: string): Promise<Usage> {
  const { rows } = await t.db.execute(
    sql`select count(*)::int as n from tasks where tenant_id = ${tenantId} and status in ('pending', 'processing')`,
  );
  return { pending: (rows[0] as { n: number }).n, images: await countImagesHeld(t.db, tenantId) };
}

async function expectCountersMatchRows(tenantId: string, expected: Usage): Promise<void> {
  expect(await usageFromRows(tenantId)).toEqual(expected);
  expect(await usageFromCounters(tenantId)).toEqual(expected);
}

const postTask = async (token: string, body: unknown): Promise<string> => {
  const answer = await t.request('POST', '/v2/tasks', { token, body });
  expect(answer.status).toBe(201);
  return answer.json.id as string;
};

describe('tenant_usage (the counters admission reads)', () => {
  it('follows tasks and images through their lives as the workers and the API change them', async () => {
    const tenant = await t.createTestTenant();
    const token = tenant.tokens.creator;
    await expectCountersMatchRows(tenant.id, { pending: 0, images: 0 });

    const imported = await postTask(token, importBody());
    const failedImport = await postTask(token, importBody());
    await postTask(token, exportBody());
    await expectCountersMatchRows(tenant.id, { pending: 3, images: 2 });

    // The worker claims the import and makes its image row: the image row takes the import's place.
    await t.db.update(tasks).set({ status: 'processing' }).where(eq(tasks.id, imported));
    const [image] = await t.db
      .insert(images)
      .values({ tenantId: tenant.id, sourceTaskId: imported, status: 'saving' })
      .returning();
    await expectCountersMatchRows(tenant.id, { pending: 3, images: 2 });
    await t.db.update(images).set({ status: 'active' }).where(eq(images.id, image!.id));
    await outcomes.succeed(imported, {});
    await expectCountersMatchRows(tenant.id, { pending: 2, images: 2 });

    // A failed import releases its place; deleting the image releases the other.
    await outcomes.fail(failedImport, { message: 'bad VHD' });
    await expectCountersMatchRows(tenant.id, { pending: 1, images: 1 });
    await t.db.update(images).set({ status: 'deleted' }).where(eq(images.id, image!.id));
    await expectCountersMatchRows(tenant.id, { pending: 1, images: 0 });

    // An image row that goes away while its import is still unfinished gives the import its place back.
    const inFlight = await postTask(token, importBody());
    const [orphan] = await t.db
      .insert(images)
      .values({ tenantId: tenant.id, sourceTaskId: inFlight, status: 'killed' })
      .returning();
    await expectCountersMatchRows(tenant.id, { pending: 2, images: 0 });
    await t.db.delete(images).where(eq(images.id, orphan!.id));
    await expectCountersMatchRows(tenant.id, { pending: 2, images: 1 });

    // The purge deletes finished tasks; an operator may delete unfinished ones.
    await t.db.delete(tasks).where(eq(tasks.tenantId, tenant.id));
    await expectCountersMatchRows(tenant.id, { pending: 0, images: 0 });
  });

  it('stays equal to the rows when image rows and task failures for the same imports race', async () => {
    const tenant = await t.createTestTenant();
    await t.setTenantLimits(tenant.id, { maxPendingTasks: 1000, maxImages: 1000 });
    const ids = await Promise.all(
      Array.from({ length: 40 }, () => postTask(tenant.tokens.creator, importBody())),
    );
    await t.db.update(tasks).set({ status: 'processing' }).where(sql`${tasks.tenantId} = ${tenant.id}`);
    // For every import, at the same time: its worker makes the image row, and recovery fails the task.
    await Promise.all(
      ids.flatMap((id) => [
        t.db.insert(images).values({ tenantId: tenant.id, sourceTaskId: id, status: 'saving' }),
        outcomes.fail(id, { message: 'worker lost' }),
      ]),
    );
    await expectCountersMatchRows(tenant.id, { pending: 0, images: 40 });
  });

  it("counts an import once when it fails while its image row's transaction is still open", async () => {
    const tenant = await t.createTestTenant();
    const id = await postTask(tenant.tokens.creator, importBody());
    await t.db.update(tasks).set({ status: 'processing' }).where(eq(tasks.id, id));
    let failing: Promise<unknown> = Promise.resolve();
    await t.db.transaction(async (worker) => {
      await worker.insert(images).values({ tenantId: tenant.id, sourceTaskId: id, status: 'saving' });
      // Recovery fails the task from another connection before the worker commits: it must wait for that
      // commit (the image row's trigger holds the task row), or both would take the import out of images_held.
      failing = outcomes.fail(id, { message: 'worker lost' });
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await failing;
    await expectCountersMatchRows(tenant.id, { pending: 0, images: 1 });
  });

  it('goes with its tenant', async () => {
    const tenant = await t.createTestTenant();
    await postTask(tenant.tokens.creator, importBody());
    await t.db.delete(tenants).where(eq(tenants.id, tenant.id));
    expect(await usageFromCounters(tenant.id)).toEqual({ pending: 0, images: 0 });
  });
});
