import {
  type CredentialCheck,
  createObjectStoreFactory,
  type DbExecutor,
  type ObjectStoreTimeouts,
  type SecretBox,
  SecretBoxError,
  tenants,
} from '@cloud-images/shared';
import { eq, sql } from 'drizzle-orm';
import { AdminError } from './admin-commands.js';
import { bucketPrefixProblem } from './bucket-prefix-rules.js';

export interface TenantCredentialsUpdate {
  s3AccessKey?: string;
  /** The new secret in plaintext (read from a file, stdin or TENANT_S3_SECRET_KEY); sealed here. */
  s3SecretKey?: string;
  s3Endpoint?: string;
}

export interface CredentialVerification {
  /** false with --no-verify: the credentials are stored whatever S3 says. */
  verify: boolean;
  /** S3_ENDPOINT/S3_REGION of the admin config: used when the tenant names no endpoint of its own. */
  defaultEndpoint?: string | undefined;
  region: string;
  timeouts: ObjectStoreTimeouts;
}

/** Column names an update sets, for the audit trail (names only: the secret's value never reaches it). */
export function changedCredentialColumns(update: TenantCredentialsUpdate): string[] {
  return [
    ...(update.s3AccessKey !== undefined ? ['s3_access_key'] : []),
    ...(update.s3SecretKey !== undefined ? ['s3_secret_key'] : []),
    ...(update.s3Endpoint !== undefined ? ['s3_endpoint'] : []),
  ];
}

export function hasCredentialChange(update: TenantCredentialsUpdate): boolean {
  return changedCredentialColumns(update).length > 0;
}

/**
 * Replaces a tenant's S3 credentials and/or endpoint. Unless told not to, the resulting key pair is first tried
 * with a signed ListBuckets against the resulting endpoint: SignatureDoesNotMatch/InvalidAccessKeyId, or no answer
 * at all, refuses the update and changes nothing; AccessDenied means the keys are valid. The worker reads the row
 * for every task, so tasks that start after this commit use the new credentials; running ones keep theirs.
 */
export async function updateTenantCredentials(
  db: DbExecutor,
  box: SecretBox,
  tenantId: string,
  update: TenantCredentialsUpdate,
  verification: CredentialVerification,
  imageStoreBucket: string,
): Promise<{ verification: string }> {
  if (update.s3Endpoint !== undefined && !/^https?:\/\/[^/]+/.test(update.s3Endpoint)) {
    throw new AdminError('--s3-endpoint must be an http:// or https:// URL');
  }
  if (update.s3AccessKey !== undefined && update.s3SecretKey === undefined) {
    throw new AdminError(
      '--s3-access-key needs its secret: --s3-secret-key-file PATH, --s3-secret-key-file - (stdin), or TENANT_S3_SECRET_KEY',
    );
  }
  // The same lock as tenant create: a new account binding must not overlap another tenant's bucket prefix.
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('cloud-images:tenant-bucket-prefixes'))`);
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, tenantId)).for('update');
  if (!tenant) throw new AdminError(`no tenant with id '${tenantId}'`);
  const next = {
    s3AccessKey: update.s3AccessKey ?? tenant.s3AccessKey,
    s3Endpoint: update.s3Endpoint ?? tenant.s3Endpoint,
  };
  const others = (
    await db
      .select({
        id: tenants.id,
        s3Endpoint: tenants.s3Endpoint,
        s3AccessKey: tenants.s3AccessKey,
        bucketPrefix: tenants.bucketPrefix,
      })
      .from(tenants)
  ).filter((other) => other.id !== tenant.id);
  const prefixProblem = bucketPrefixProblem(
    { ...next, bucketPrefix: tenant.bucketPrefix },
    others,
    imageStoreBucket,
  );
  if (prefixProblem) throw new AdminError(prefixProblem);

  const secretKey = update.s3SecretKey ?? openStoredSecret(box, tenant);
  let outcome = 'skipped (--no-verify)';
  if (verification.verify) {
    const endpoint = next.s3Endpoint ?? verification.defaultEndpoint;
    if (endpoint === undefined) {
      throw new AdminError(
        'cannot verify the credentials: the tenant names no endpoint and S3_ENDPOINT is not set; nothing changed (set S3_ENDPOINT, or pass --no-verify)',
      );
    }
    const check = await checkCredentials(
      { endpoint, region: verification.region, accessKey: next.s3AccessKey, secretKey },
      verification.timeouts,
    );
    outcome = refuseUnlessUsable(check, endpoint);
  }
  await db
    .update(tenants)
    .set({
      s3AccessKey: next.s3AccessKey,
      s3Endpoint: next.s3Endpoint,
      ...(update.s3SecretKey !== undefined
        ? { s3SecretKeyEncrypted: box.seal(update.s3SecretKey, tenant.id) }
        : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(tenants.id, tenant.id));
  return { verification: outcome };
}

/** The tenant's current secret, to check a change that brings no new one (an endpoint only). */
function openStoredSecret(box: SecretBox, tenant: { id: string; s3SecretKeyEncrypted: string }): string {
  try {
    return box.open(tenant.s3SecretKeyEncrypted, tenant.id);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new AdminError(
      `the stored S3 secret does not open (${error.message}); give it again with --s3-secret-key-file`,
    );
  }
}

function checkCredentials(
  target: { endpoint: string; region: string; accessKey: string; secretKey: string },
  timeouts: ObjectStoreTimeouts,
): Promise<CredentialCheck> {
  return createObjectStoreFactory(timeouts)(target).checkCredentials();
}

/** What the check says, or AdminError (nothing changed) when the credentials are bad or could not be checked. */
function refuseUnlessUsable(check: CredentialCheck, endpoint: string): string {
  switch (check.result) {
    case 'accepted':
      return 'accepted (signed ListBuckets)';
    case 'access-denied':
      return 'accepted (ListBuckets answered AccessDenied: the key pair is valid)';
    case 'rejected':
      throw new AdminError(
        `S3 at ${endpoint} rejected the new credentials (${check.code}); nothing changed (pass --no-verify to store them anyway)`,
      );
    case 'unverified':
      throw new AdminError(
        `could not verify the credentials against ${endpoint} (${check.detail}); nothing changed (pass --no-verify to store them anyway)`,
      );
  }
}
