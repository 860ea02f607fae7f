import {
  databaseConfig,
  objectStoreConfig,
  requireTenantSecretKeys,
  tenantLimitDefaultsConfig,
  tenantSecretKeyConfig,
} from '@cloud-images/shared';
import { z } from 'zod';
import { tokenLifetimeConfig } from './token-lifetime-config.js';

const s3 = objectStoreConfig.shape;

/**
 * The admin CLI's own configuration. It seals and opens tenants' S3 secrets, so it is the one program in the api
 * image that needs the master keys (TENANT_SECRET_KEYS); the API server's schema (config.ts) does not know them.
 * It learns IMAGE_STORE_BUCKET (same default as the services) only to refuse tenant bucket prefixes that could
 * spell the image-store bucket, and S3_ENDPOINT/S3_REGION (optional) only to check a tenant's new credentials
 * when the tenant names no endpoint of its own. TENANT_S3_SECRET_KEY is an input, not configuration: the tenant
 * secret `tenant create` and `tenant update` take when no --s3-secret-key-file is given (never S3_SECRET_KEY,
 * which is the image store's own secret).
 */
export const adminCliConfigSchema = z
  .object({
    IMAGE_STORE_BUCKET: s3.IMAGE_STORE_BUCKET,
    S3_ENDPOINT: s3.S3_ENDPOINT.optional(),
    S3_REGION: s3.S3_REGION,
    S3_CONNECT_TIMEOUT_MS: s3.S3_CONNECT_TIMEOUT_MS,
    S3_SOCKET_TIMEOUT_MS: s3.S3_SOCKET_TIMEOUT_MS,
    S3_REQUEST_TIMEOUT_MS: s3.S3_REQUEST_TIMEOUT_MS,
    TENANT_S3_SECRET_KEY: z.string().optional(),
  })
  .extend(databaseConfig.shape)
  .extend(tenantSecretKeyConfig.shape)
  .extend(tenantLimitDefaultsConfig.shape)
  .extend(tokenLifetimeConfig.shape)
  .superRefine(requireTenantSecretKeys);

export type AdminCliConfig = z.output<typeof adminCliConfigSchema>;
