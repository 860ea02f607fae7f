import {
  bucketForContainer,
  type DbExecutor,
  type ObjectStore,
  type ObjectStoreTarget,
  type SecretBox,
  tenants,
} from '@cloud-images/shared';
import { eq } from 'drizzle-orm';

/** A tenant's own object-store account: its containers are buckets reached with its own credentials. */
export interface TenantObjectStore {
  tenantId: string;
  objects: ObjectStore;
  bucketForContainer(container: string): string;
}

export interface TenantObjectStoreDefaults {
  /** Used when the tenant row names no endpoint of its own. */
  endpoint: string;
  region: string;
  /** Builds the port for one account (shared connection pool and timeouts). */
  openObjectStore: (target: ObjectStoreTarget) => ObjectStore;
}

/**
 * Builds an ObjectStore per tenant from its row: the sealed secret is opened with the deployment's key only here,
 * just before use, and never logged or stored elsewhere.
 */
export class TenantObjectStores {
  constructor(
    private readonly db: DbExecutor,
    private readonly secretBox: SecretBox,
    private readonly defaults: TenantObjectStoreDefaults,
  ) {}

  async forTenant(tenantId: string): Promise<TenantObjectStore> {
    const [tenant] = await this.db.select().from(tenants).where(eq(tenants.id, tenantId));
    if (!tenant) throw new Error(`tenant ${tenantId} not found`);
    const objects = this.defaults.openObjectStore({
      endpoint: tenant.s3Endpoint ?? this.defaults.endpoint,
      region: this.defaults.region,
      accessKey: tenant.s3AccessKey,
      secretKey: this.secretBox.open(tenant.s3SecretKeyEncrypted),
    });
    const prefix = tenant.bucketPrefix;
    return { tenantId, objects, bucketForContainer: (container) => bucketForContainer(prefix, container) };
  }
}
