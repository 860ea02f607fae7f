import { runMigrations } from '@cloud-images/shared';
import { createDatabase, dropDatabase, seedTenant, uniqueName } from '@cloud-images/test-stack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { find, findGenerated, kustomize, report } from './helpers.js';

/**
 * KEDA's postgresql scaler runs the ScaledObject's query as written in the rendered manifest: here it runs, as
 * rendered for prod-keda, against a migrated database on the test stack's real Postgres, so a typo, a renamed
 * column or a cap that does not follow TENANT_DEFAULT_MAX_ACTIVE_TASKS fails.
 */
const stack = inject('stack');
const dbName = uniqueName('keda').replace(/-/g, '_');
let client: pg.Client;
let query: string;
let target: number;
let defaultMaxActive: number;

beforeAll(async () => {
  const { objects } = await kustomize('deploy/k8s/overlays/prod-keda');
  const trigger = find(objects, 'ScaledObject', 'cloud-images-worker')?.spec.triggers[0];
  query = trigger.metadata.query;
  target = Number(trigger.metadata.targetQueryValue);
  defaultMaxActive = Number(
    findGenerated(objects, 'ConfigMap', 'cloud-images-config')?.data?.TENANT_DEFAULT_MAX_ACTIVE_TASKS,
  );
  const url = await createDatabase(stack, dbName);
  await runMigrations(url);
  client = new pg.Client({ connectionString: url });
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.end();
  await dropDatabase(stack, dbName);
});

/** A tenant with `maxActive` (null: the deployment default) and tasks in the given statuses. */
async function tenantWith(maxActive: number | null, statuses: string[]): Promise<void> {
  const tenant = await seedTenant(client, { credentials: stack.s3.service, seal: (secret) => secret });
  await client.query('update tenants set max_active_tasks = $2 where id = $1', [tenant.id, maxActive]);
  for (const status of statuses) {
    await client.query(`insert into tasks (tenant_id, type, status, input) values ($1, 'import', $2, '{}')`, [
      tenant.id,
      status,
    ]);
  }
}

describe("KEDA's query on the real schema", () => {
  it('counts pending + processing tasks per tenant, capped at its max_active_tasks (else the default)', async () => {
    expect(Number.isInteger(defaultMaxActive) && defaultMaxActive > 0).toBe(true);
    const empty = await client.query(query);
    expect(Number(Object.values(empty.rows[0])[0])).toBe(0);

    await tenantWith(null, ['pending', 'pending', 'pending', 'pending', 'pending', 'processing']); // a backlog
    await tenantWith(4, ['pending', 'pending', 'pending']); // below its own cap
    await tenantWith(1, ['processing', 'processing']); // a lowered cap
    await tenantWith(null, ['pending']);
    await tenantWith(null, ['success', 'failure']); // finished work is not demand
    const expected = Math.min(6, defaultMaxActive) + 3 + 1 + Math.min(1, defaultMaxActive);

    const { rows } = await client.query(query);
    const value = Number(Object.values(rows[0])[0]);
    report(
      "KEDA's query on Postgres",
      `value ${value} (expected ${expected} with TENANT_DEFAULT_MAX_ACTIVE_TASKS=${defaultMaxActive}); ` +
        `targetQueryValue ${target} -> KEDA asks for ${Math.ceil(value / target)} worker replicas`,
    );
    expect(value).toBe(expected);
  });
});
