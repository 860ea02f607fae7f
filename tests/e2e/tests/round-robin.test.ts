import { createDatabase, type DatabaseHandle } from '@cloud-images/shared';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eEnv, type Tenant } from '../support/e2e-env.js';

/**
 * The anchor (Hatchet's GROUP_ROUND_ROBIN): A,A,A,B,B,C queued while no worker slot is free, then one
 * worker with 2 slots, run A,B,C,A,B,A. Through the real API, dispatcher and worker processes.
 */
const SLOTS = 2;
const QUEUED = ['A', 'A', 'A', 'B', 'B', 'C'] as const;
const EXPECTED = ['A', 'B', 'C', 'A', 'B', 'A'];

let env: E2eEnv;
let fixtures: FixtureDir;
let db: DatabaseHandle;
const tenants = new Map<string, { tenant: Tenant; importFrom: string }>();

beforeAll(async () => {
  fixtures = new FixtureDir('e2e-round-robin-');
  env = await E2eEnv.start({ worker: { WORKER_CONCURRENCY: String(SLOTS) } });
  db = createDatabase({ url: env.env.DATABASE_URL!, poolMax: 2 });
  const path = await fixtures.make('small.vhd', 'dynamic', '4M', [
    { pattern: 0x33, offset: '0', length: '64k' },
  ]);
  const tenantC = await env.addTenant('c', 2);
  for (const [label, tenant] of [
    ['A', env.tenantA],
    ['B', env.tenantB],
    ['C', tenantC],
  ] as const) {
    await tenant.createContainer('src');
    // max_active high enough that only the 2 slots limit: the order is the dispatcher's round-robin alone.
    await env.admin(['tenant', 'update', tenant.id, '--max-active', '10']);
    tenants.set(label, { tenant, importFrom: await tenant.upload('src', 'small.vhd', path) });
  }
}, 300_000);

afterAll(async () => {
  await db?.close();
  await env?.stop();
  await fixtures?.remove();
});

describe('round-robin dispatch through the real processes', () => {
  it(`A,A,A,B,B,C queued with ${SLOTS} slots start A,B,C,A,B,A`, async () => {
    // No worker: no capacity (its heartbeat row is gone), so everything queued stays undispatched.
    await env.stopWorker();
    const live = await db.pool.query(
      `select count(*)::int as n from worker_heartbeats where concurrency > 0`,
    );
    expect(live.rows[0].n).toBe(0);

    const labelOf = new Map<string, string>();
    for (const [i, label] of QUEUED.entries()) {
      const { tenant, importFrom } = tenants.get(label)!;
      const task = await tenant.api.createTask('import', {
        import_from: importFrom,
        image_properties: { name: `${label}-${i}` },
      });
      labelOf.set(task.id, label);
    }
    // Several dispatcher ticks (DISPATCH_INTERVAL_MS 1 s) pass with nothing to dispatch to.
    await new Promise((r) => setTimeout(r, 2_500));
    const held = await db.pool.query(`select count(*)::int as n from tasks where dispatched_at is not null`);
    expect(held.rows[0].n).toBe(0);

    await env.startWorker({ WORKER_CONCURRENCY: String(SLOTS) });
    for (const [id, label] of labelOf) {
      const { tenant } = tenants.get(label)!;
      expect((await tenant.api.waitForTask(id, 120_000)).status).toBe('success');
    }

    const { rows } = await db.pool.query<{ id: string; dispatched_at: Date; started_at: Date }>(
      `select id, dispatched_at, started_at from tasks order by dispatched_at, id`,
    );
    const dispatchOrder = rows.map((r) => labelOf.get(r.id)!);
    const startOrder = [...rows]
      .sort((x, y) => x.started_at.getTime() - y.started_at.getTime())
      .map((r) => labelOf.get(r.id)!);
    const t0 = rows[0]!.dispatched_at.getTime();
    console.log(
      `[round-robin] queued ${QUEUED.join(',')} on ${SLOTS} slots; dispatched ${dispatchOrder.join(',')} at ` +
        `+${rows.map((r) => r.dispatched_at.getTime() - t0).join(', +')} ms; started ${startOrder.join(',')}`,
    );
    expect(dispatchOrder).toEqual(EXPECTED);
    // Start order (started_at: the worker's claim) follows it. Two tasks handed over in one round are claimed
    // by two concurrent job processors, so within each pair of slots either may be first.
    for (let k = 0; k < rows.length; k += SLOTS) {
      expect(startOrder.slice(k, k + SLOTS).sort()).toEqual(EXPECTED.slice(k, k + SLOTS).sort());
    }
  }, 300_000);
});
