import { createIsolatedDatabase } from '@cloud-images/test-stack';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../src/db/client.js';
import { type TaskStatus, tasks, tenants } from '../src/db/schema.js';
import { TaskOutcomeWriter } from '../src/tasks/task-outcome.js';

const stack = inject('stack');
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let handle: DatabaseHandle;
let outcomes: TaskOutcomeWriter;

beforeAll(async () => {
  isolated = await createIsolatedDatabase(stack, inject('templateDatabase'));
  handle = createDatabase({ url: isolated.url });
  outcomes = new TaskOutcomeWriter(handle.db, 3600);
  await handle.db
    .insert(tenants)
    .values({ id: 't1', name: 't1', s3AccessKey: 'ak', s3SecretKeyEncrypted: 'v1:x:y:z' });
});

afterAll(async () => {
  await handle.close();
  await isolated.drop();
});

async function taskIn(status: TaskStatus): Promise<string> {
  const [row] = await handle.db
    .insert(tasks)
    .values({ tenantId: 't1', type: 'import', input: {}, requestHash: 'h', status })
    .returning({ id: tasks.id });
  if (!row) throw new Error('no row');
  return row.id;
}

describe('TaskOutcomeWriter', () => {
  it('ends a processing task once: success with its result and an expiry, then nothing moves it', async () => {
    const id = await taskIn('processing');
    const settled = await outcomes.succeed(id, { image_id: 'x' });
    expect(settled).toMatchObject({ status: 'success', result: { image_id: 'x' }, message: null });
    expect(settled?.expiresAt).toBeInstanceOf(Date);
    expect(await outcomes.fail(id, { message: 'late' })).toBeUndefined();
    expect(await outcomes.succeed(id, { image_id: 'y' })).toBeUndefined();
    const [row] = await handle.db.select().from(tasks).where(eq(tasks.id, id));
    expect(row).toMatchObject({ status: 'success', result: { image_id: 'x' } });
  });

  it('fails a pending or processing task, keeping the detail for operators only', async () => {
    for (const status of ['pending', 'processing'] as const) {
      const id = await taskIn(status);
      const settled = await outcomes.fail(id, { message: 'client text', detail: 'x'.repeat(5000) });
      expect(settled).toMatchObject({ status: 'failure', message: 'client text' });
      expect(settled?.lastError).toHaveLength(4000);
      expect(await outcomes.fail(id, { message: 'again' })).toBeUndefined();
    }
  });

  it('never succeeds a task that was not processing', async () => {
    const id = await taskIn('pending');
    expect(await outcomes.succeed(id, {})).toBeUndefined();
  });

  it("writes inside the caller's transaction: a rollback undoes the outcome", async () => {
    const id = await taskIn('processing');
    await expect(
      handle.db.transaction(async (tx) => {
        expect(await outcomes.succeed(id, { image_id: 'x' }, tx)).toBeDefined();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = await handle.db.select().from(tasks).where(eq(tasks.id, id));
    expect(row?.status).toBe('processing');
  });
});
