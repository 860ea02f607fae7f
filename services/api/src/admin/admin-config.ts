import {
  databaseConfig,
  objectStoreConfig,
  tenantLimitDefaultsConfig,
  tenantSecretKeyConfig,
} from '@cloud-images/shared';
import { z } from 'zod';
import { tokenLifetimeConfig } from './token-lifetime-config.js';

/**
 * The admin CLI's own configuration. It touches only Postgres and seals tenants' S3 secrets, so it is the one
 * program in the api image that needs TENANT_SECRET_KEY; the API server's schema (config.ts) does not know it.
 * It learns IMAGE_STORE_BUCKET (same default as the services) only to refuse tenant bucket prefixes that could
 * spell the image-store bucket.
 */
export const adminCliConfigSchema = z
  .object({ IMAGE_STORE_BUCKET: objectStoreConfig.shape.IMAGE_STORE_BUCKET })
  .extend(databaseConfig.shape)
  .extend(tenantSecretKeyConfig.shape)
  .extend(tenantLimitDefaultsConfig.shape)
  .extend(tokenLifetimeConfig.shape);

export type AdminCliConfig = z.output<typeof adminCliConfigSchema>;
