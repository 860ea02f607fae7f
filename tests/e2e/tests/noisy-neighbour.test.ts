import { createDatabase, type DatabaseHandle } from '@cloud-images/shared';
import { s3ClientFor } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../support/api-client.js';
import { E2eEnv } from '../support/e2e-env.js';
import { installTransitionLog, taskTimelines } from '../support/task-transitions.js';

const A_TASKS = 200;
/** Default max_active_tasks (TENANT_DEFAULT_MAX_ACTIVE_TASKS). */
const MAX_ACTIVE = 2;

let env: E2eEnv;
let fixtures: FixtureDir;
let db: DatabaseHandle;
let importFrom: string;
let importFromB: string;

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-noisy-');
  // One worker, 2 slots: tenant A alone could fill them all; the API's rate limit is raised to fit A's burst.
  env = await E2eEnv.start({ api: { RATE_LIMIT_POINTS: '1000' }, worker: { PROGRESS_INTERVAL_MS: '500' } });
  db = createDatabase({ url: env.env.DATABASE_URL!, poolMax: 2 });
  await installTransitionLog(db.pool); // every status change, to count each task's terminal transitions
  const path = await fixtures.make('small.vhd', 'dynamic', '4M', [
    { pattern: 0x11, offset: '0', length: '64k' },
  ]);
  await env.tenantA.createContainer('src');
  await env.tenantB.createContainer('src');
  importFrom = await env.tenantA.upload('src', 'small.vhd', path);
  importFromB = await env.tenantB.upload('src', 'small.vhd', path);
  await env.admin(['tenant', 'update', env.tenantA.id, '--max-pending', String(A_TASKS + 10)]);
}, 300_000);

afterAll(async () => {
  await db?.close();
  await env?.stop();
  await fixtures?.remove();
});

interface ActiveSample {
  tenant_id: string;
  n: number;
}

describe('noisy neighbour', () => {
  it(`B's one import starts within 2x the median of A's ${A_TASKS}, all succeed once, in-flight ≤ max_active`, async () => {
    const samples: ActiveSample[][] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await db.pool.query<ActiveSample>(`
          select tenant_id, count(*)::int as n from tasks
          where status = 'processing' or (status = 'pending' and dispatched_at is not null) group by tenant_id`);
        samples.push(rows);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const aTasks: Task[] = [];
    for (let i = 0; i < A_TASKS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, A_TASKS - i) }, (_, j) =>
          env.tenantA.api.createTask('import', {
            import_from: importFrom,
            image_properties: { name: `a-${i + j}` },
          }),
        ),
      );
      aTasks.push(...batch);
    }
    const bTask = await env.tenantB.api.createTask('import', {
      import_from: importFromB,
      image_properties: { name: 'b' },
    });
    const bDone = await env.tenantB.api.waitForTask(bTask.id, 120_000);
    expect(bDone.status).toBe('success');
    for (const task of aTasks) {
      expect((await env.tenantA.api.waitForTask(task.id, 600_000)).status).toBe('success');
    }
    sampling = false;
    await sampler;

    const { rows } = await db.pool.query<{
      id: string;
      tenant_id: string;
      wait_ms: number;
      run_ms: number;
      attempts: number;
    }>(`
      select id, tenant_id, attempts,
        extract(epoch from (started_at - created_at)) * 1000 as wait_ms,
        extract(epoch from (updated_at - started_at)) * 1000 as run_ms
      from tasks`);
    const aRuns = rows.filter((r) => r.tenant_id === env.tenantA.id).map((r) => Number(r.run_ms));
    aRuns.sort((x, y) => x - y);
    const median = aRuns[Math.floor(aRuns.length / 2)]!;
    const b = rows.find((r) => r.id === bTask.id)!;
    const maxSeen = Math.max(0, ...samples.flat().map((s) => s.n));
    console.log(
      `[noisy-neighbour] A: ${A_TASKS} tasks, median run ${median.toFixed(0)} ms; B waited ${Number(b.wait_ms).toFixed(0)} ms ` +
        `(limit 2x median = ${(2 * median).toFixed(0)} ms); ${samples.length} samples, max in flight per tenant ${maxSeen}`,
    );
    expect(Number(b.wait_ms)).toBeLessThanOrEqual(2 * median);
    expect(maxSeen).toBeLessThanOrEqual(MAX_ACTIVE);
    expect(rows).toHaveLength(A_TASKS + 1);
    const timelines = await taskTimelines(db.pool);
    expect(timelines.filter((t) => t.terminal !== 1)).toEqual([]);

    // Exactly once, in effects: one active image per task, one stored object per image.
    const images = await db.pool.query<{ n: number; tasks: number }>(
      `select count(*)::int as n, count(distinct source_task_id)::int as tasks from images where status = 'active'`,
    );
    expect(images.rows[0]).toEqual({ n: A_TASKS + 1, tasks: A_TASKS + 1 });
    const store = s3ClientFor(env.stack, env.stack.s3.service);
    const objects = await store.listObjectsV2(env.env.IMAGE_STORE_BUCKET!, '', true).toArray();
    expect(objects).toHaveLength(A_TASKS + 1);
  }, 900_000);
});
