import { createDatabase, type DatabaseHandle } from '@cloud-images/shared';
import { type PrivateRedis, type ServiceProcess, s3ClientFor, startRedis } from '@cloud-images/test-stack';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eEnv } from '../support/e2e-env.js';

const TASKS = 30;
/** Recovery settings of this file (docs/fair-dispatch.md gives the production ones). */
const RECOVERY = {
  TASK_HEARTBEAT_TIMEOUT_MS: '5000',
  RECOVERY_INTERVAL_MS: '1000',
  PENDING_RECONCILE_AFTER_SECONDS: '5',
  WORKER_HEARTBEAT_TTL_MS: '4000',
};
const WORKER = { ...RECOVERY, WORKER_HEARTBEAT_INTERVAL_MS: '1000', PROGRESS_INTERVAL_MS: '200' };
/** Heartbeat timeout + sweep interval + reconcile age + slack for the tasks' own runs on a loaded machine. */
const DOCUMENTED_RECOVERY_MS = 5_000 + 1_000 + 5_000;

// A private Redis: this file kills it and brings it back empty.
let redis: PrivateRedis;
let env: E2eEnv;
let second: ServiceProcess | undefined;
let fixtures: FixtureDir;
let db: DatabaseHandle;
let importFrom: string;

beforeAll(async () => {
  redis = await startRedis();
  fixtures = new FixtureDir('e2e-redis-restart-');
  env = await E2eEnv.start({ redisUrl: redis.url, api: RECOVERY, worker: WORKER });
  second = await env.spawnExtraWorker('second');
  db = createDatabase({ url: env.env.DATABASE_URL!, poolMax: 2 });
  const path = await fixtures.make('mid.vhd', 'dynamic', '64M', [
    { pattern: 0x22, offset: '0', length: '16M' },
  ]);
  await env.tenantA.createContainer('src');
  importFrom = await env.tenantA.upload('src', 'mid.vhd', path);
  await env.admin(['tenant', 'update', env.tenantA.id, '--max-active', '4']);
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await db?.close();
  await env?.stop();
  await redis?.destroy();
  await fixtures?.remove();
});

describe('Redis restarted empty while a worker is SIGKILLed', () => {
  it('ends every task within the recovery time; succeeded imports = images = stored objects', async () => {
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      ids.push(
        (
          await env.tenantA.api.createTask('import', {
            import_from: importFrom,
            image_properties: { name: `r${i}` },
          })
        ).id,
      );
    }
    // Wait until work is in flight on both workers, then crash one and wipe Redis.
    await expect
      .poll(
        async () =>
          (await db.pool.query(`select count(*)::int as n from tasks where status = 'success'`)).rows[0].n,
        {
          timeout: 120_000,
          interval: 250,
        },
      )
      .toBeGreaterThanOrEqual(3);
    await env.killWorker();
    await redis.kill();
    const crashedAt = Date.now();
    await redis.start(); // empty: nothing was saved
    const { rows: left } = await db.pool.query(
      `select status, count(*)::int as n from tasks group by status`,
    );
    console.log(`[redis-restart] at the crash: ${JSON.stringify(left)}`);

    // Every task ends; none may stay pending or processing.
    await expect
      .poll(
        async () =>
          (
            await db.pool.query(
              `select count(*)::int as n from tasks where status in ('pending', 'processing')`,
            )
          ).rows[0].n,
        { timeout: 600_000, interval: 500 },
      )
      .toBe(0);
    const recoveredIn = Date.now() - crashedAt;
    const { rows } = await db.pool.query<{
      id: string;
      status: string;
      attempts: number;
      message: string | null;
    }>(`select id, status, attempts, message from tasks`);
    const succeeded = rows.filter((r) => r.status === 'success');
    const retried = rows.filter((r) => r.attempts > 1).length;
    const images = await db.pool.query<{ n: number; tasks: number }>(
      `select count(*)::int as n, count(distinct source_task_id)::int as tasks from images where status = 'active'`,
    );
    const store = s3ClientFor(env.stack, env.stack.s3.service);
    const objects = await store.listObjectsV2(env.env.IMAGE_STORE_BUCKET!, '', true).toArray();
    console.log(
      `[redis-restart] all ${rows.length} tasks ended ${recoveredIn} ms after the crash (documented recovery ` +
        `${DOCUMENTED_RECOVERY_MS} ms + run time); ${succeeded.length} succeeded, ${retried} ran more than once; ` +
        `${images.rows[0]!.n} images, ${objects.length} stored objects`,
    );
    expect(rows).toHaveLength(TASKS);
    expect(succeeded).toHaveLength(TASKS);
    expect(images.rows[0]).toEqual({ n: succeeded.length, tasks: succeeded.length });
    expect(objects).toHaveLength(succeeded.length);
  }, 900_000);
});
