import { randomInt } from 'node:crypto';
import { type DbExecutor, type SecretBox, tenants } from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { bucketPrefixProblem } from './bucket-prefix-rules.js';

export class AdminError extends Error {
  override name = 'AdminError';
}

export interface TenantInput {
  name: string;
  s3AccessKey: string;
  s3SecretKey: string;
  s3Endpoint?: string;
  bucketPrefix?: string;
  /** The owner id clients see; default a random 8-digit id in Rackspace's style ("00000123"). */
  id?: string;
}

/**
 * Creates a tenant; its S3 secret is sealed with the current master key before it reaches the database. Its bucket
 * prefix must be well formed, overlap no other tenant's on the same endpoint and account, and be unable to spell
 * `imageStoreBucket`.
 */
export async function createTenant(
  db: DbExecutor,
  box: SecretBox,
  input: TenantInput,
  imageStoreBucket: string,
) {
  if (input.s3Endpoint !== undefined && !/^https?:\/\/[^/]+/.test(input.s3Endpoint)) {
    throw new AdminError('--s3-endpoint must be an http:// or https:// URL');
  }
  // Two `tenant create` runs at once must not both pass the overlap check: the check and the insert are serialised
  // by a transaction-scoped advisory lock (the CLI runs each command in one transaction).
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('cloud-images:tenant-bucket-prefixes'))`);
  const others = await db
    .select({
      id: tenants.id,
      s3Endpoint: tenants.s3Endpoint,
      s3AccessKey: tenants.s3AccessKey,
      bucketPrefix: tenants.bucketPrefix,
    })
    .from(tenants);
  const prefixProblem = bucketPrefixProblem(
    {
      s3Endpoint: input.s3Endpoint ?? null,
      s3AccessKey: input.s3AccessKey,
      bucketPrefix: input.bucketPrefix ?? '',
    },
    others,
    imageStoreBucket,
  );
  if (prefixProblem) throw new AdminError(prefixProblem);
  const [existing] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, input.name));
  if (existing) throw new AdminError(`a tenant named '${input.name}' already exists (id ${existing.id})`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = input.id ?? String(randomInt(0, 100_000_000)).padStart(8, '0');
    const [row] = await db
      .insert(tenants)
      .values({
        id,
        name: input.name,
        s3AccessKey: input.s3AccessKey,
        // Sealed per candidate id: the id is bound to the ciphertext as associated data.
        s3SecretKeyEncrypted: box.seal(input.s3SecretKey, id),
        s3Endpoint: input.s3Endpoint ?? null,
        bucketPrefix: input.bucketPrefix ?? '',
      })
      .onConflictDoNothing()
      .returning();
    if (row) {
      return {
        id: row.id,
        name: row.name,
        s3_endpoint: row.s3Endpoint,
        s3_access_key: row.s3AccessKey,
        bucket_prefix: row.bucketPrefix,
        created_at: row.createdAt.toISOString(),
      };
    }
    if (input.id) throw new AdminError(`a tenant with id '${input.id}' already exists`);
  }
  throw new AdminError('could not allocate a free tenant id; pass --id');
}

export async function listTenants(db: DbExecutor) {
  const rows = await db.select().from(tenants).orderBy(tenants.createdAt);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    s3_endpoint: row.s3Endpoint,
    bucket_prefix: row.bucketPrefix,
  }));
}
