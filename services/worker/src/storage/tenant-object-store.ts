import {
  BAD_CREDENTIAL_CODES,
  bucketForContainer,
  type DbExecutor,
  type ObjectStore,
  type ObjectStoreTarget,
  type SecretBox,
  SecretBoxError,
  TaskMessage,
  tenants,
} from '@cloud-images/shared';
import { eq } from 'drizzle-orm';
import { TaskFailedError } from '../errors.js';

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
 * Builds an ObjectStore per tenant from its row: the sealed secret is opened with the deployment's keyring only
 * here, just before use, and never logged or stored elsewhere. The row is read afresh for every task (no cache),
 * so a task started after `tenant update` uses the new credentials, and a running task keeps the store it built.
 * Credentials that cannot work end the task for good (TaskFailedError, never retried): a secret that does not
 * open, and a key pair the object store rejects.
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
    let secretKey: string;
    try {
      secretKey = this.secretBox.open(tenant.s3SecretKeyEncrypted, tenant.id);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new TaskFailedError(TaskMessage.tenantCredentialsUnreadable, error.message);
    }
    const objects = this.defaults.openObjectStore({
      endpoint: tenant.s3Endpoint ?? this.defaults.endpoint,
      region: this.defaults.region,
      accessKey: tenant.s3AccessKey,
      secretKey,
    });
    const prefix = tenant.bucketPrefix;
    return {
      tenantId,
      objects: failingOnRejectedCredentials(objects, tenant.s3AccessKey),
      bucketForContainer: (container) => bucketForContainer(prefix, container),
    };
  }
}

/**
 * Turns "S3 rejected the key pair" into a task failure instead of a retry loop. A HEAD (stat) answers a bad
 * signature with a bare 403 that the client calls AccessDenied, so an AccessDenied is checked once with a signed
 * ListBuckets, whose XML answer tells SignatureDoesNotMatch/InvalidAccessKeyId from a real AccessDenied.
 */
function failingOnRejectedCredentials(objects: ObjectStore, accessKey: string): ObjectStore {
  const diagnose = async (error: unknown): Promise<never> => {
    const code = (error as { code?: unknown } | null)?.code;
    let rejectedCode = typeof code === 'string' && BAD_CREDENTIAL_CODES.has(code) ? code : undefined;
    if (code === 'AccessDenied') {
      const check = await objects.checkCredentials();
      if (check.result === 'rejected') rejectedCode = check.code;
    }
    if (rejectedCode === undefined) throw error;
    throw new TaskFailedError(
      TaskMessage.tenantCredentialsRejected,
      `S3 answered ${rejectedCode} for access key ${accessKey}`,
    );
  };
  return new Proxy(objects, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'checkCredentials') return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(diagnose);
    },
  });
}
