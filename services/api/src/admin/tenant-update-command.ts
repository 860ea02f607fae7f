import { type DbExecutor, objectStoreTimeouts, type SecretBox } from '@cloud-images/shared';
import { AdminError } from './admin-commands.js';
import type { AdminCliConfig } from './admin-config.js';
import type { AuditEvent } from './audit-trail.js';
import { readSecret } from './secret-input.js';
import {
  changedCredentialColumns,
  hasCredentialChange,
  type TenantCredentialsUpdate,
  updateTenantCredentials,
} from './tenant-credential-commands.js';
import { changedLimitColumns, parseLimit, showTenant, updateTenantLimits } from './tenant-limit-commands.js';

/**
 * `tenant update ID`: limits and/or S3 credentials, in the caller's transaction (so both, and the audit event,
 * commit together). A new secret is read only when --s3-secret-key-file or --s3-access-key is given, so an
 * exported TENANT_S3_SECRET_KEY never changes a tenant by accident during a limits-only update.
 */
export async function runTenantUpdate(
  db: DbExecutor,
  box: SecretBox,
  config: AdminCliConfig,
  tenantId: string,
  flags: Readonly<Record<string, string>>,
): Promise<{ result: unknown; audit: Omit<AuditEvent, 'actor'> }> {
  const limits = {
    maxActiveTasks: parseLimit('max-active', flags['max-active']),
    maxPendingTasks: parseLimit('max-pending', flags['max-pending']),
    maxImages: parseLimit('max-images', flags['max-images']),
    maxImageBytes: parseLimit('max-image-bytes', flags['max-image-bytes']),
  };
  const wantsSecret = flags['s3-secret-key-file'] !== undefined || flags['s3-access-key'] !== undefined;
  const credentials: TenantCredentialsUpdate = {
    s3AccessKey: flags['s3-access-key'],
    s3Endpoint: flags['s3-endpoint'],
    s3SecretKey: wantsSecret
      ? readSecret({ file: flags['s3-secret-key-file'], env: config.TENANT_S3_SECRET_KEY })
      : undefined,
  };
  const limitColumns = changedLimitColumns(limits);
  if (!hasCredentialChange(credentials) && limitColumns.length === 0) {
    throw new AdminError(
      'nothing to update: pass --max-active, --max-pending, --max-images, --max-image-bytes, --s3-access-key, --s3-secret-key-file or --s3-endpoint',
    );
  }
  let verification: string | undefined;
  if (hasCredentialChange(credentials)) {
    ({ verification } = await updateTenantCredentials(
      db,
      box,
      tenantId,
      credentials,
      {
        verify: flags['no-verify'] !== 'true',
        defaultEndpoint: config.S3_ENDPOINT,
        region: config.S3_REGION,
        timeouts: objectStoreTimeouts(config),
      },
      config.IMAGE_STORE_BUCKET,
    ));
  }
  const shown =
    limitColumns.length > 0
      ? await updateTenantLimits(db, tenantId, limits, config)
      : await showTenant(db, tenantId, config);
  return {
    result: { ...shown, ...(verification !== undefined ? { credentials_verification: verification } : {}) },
    audit: {
      action: 'tenant.update',
      target: shown.id,
      tenantId: shown.id,
      changedFields: [...changedCredentialColumns(credentials), ...limitColumns],
    },
  };
}
