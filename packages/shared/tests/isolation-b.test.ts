import { createIsolatedDatabase, seedTenant, uniqueName } from '@cloud-images/test-stack';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../src/db/client.js';
import { tenants } from '../src/db/schema.js';

// This file and isolation-a.test.ts do the same thing. Whichever runs second would see the first's
// row (or hit the primary key) if per-file isolation were broken.
const stack = inject('stack');
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let handle: DatabaseHandle;

beforeAll(async () => {
  isolated = await createIsolatedDatabase(stack, inject('templateDatabase'));
  handle = createDatabase({ url: isolated.url });
});

afterAll(async () => {
  await handle.close();
  await isolated.drop();
});

describe('per-file isolation (b)', () => {
  it('starts from an empty, migrated database of its own', async () => {
    expect(await handle.db.select().from(tenants)).toEqual([]);
    await seedTenant(handle.pool, {
      id: 'isolation-probe',
      name: 'probe-b',
      credentials: { accessKey: 'ak', secretKey: 'unused' },
      seal: () => 'v1:x:y:z',
    });
    const rows = await handle.db.select().from(tenants).where(eq(tenants.id, 'isolation-probe'));
    expect(rows.map((r) => r.name)).toEqual(['probe-b']);
  });

  it('gets unique queue prefixes and bucket names', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('x')));
    expect(names.size).toBe(100);
  });
});
