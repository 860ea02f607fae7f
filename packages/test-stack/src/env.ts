import { databaseUrl } from './helpers.js';
import type { StackInfo } from './types.js';

/** Name of the env var holding the StackInfo JSON of an already running stack. */
export const STACK_ENV_VAR = 'CLOUD_IMAGES_STACK';
/** Database created by the CLI for the services (`DATABASE_URL`). */
export const APP_DATABASE = 'cloud_images';

/** The variables the services read, plus `CLOUD_IMAGES_STACK`. */
export function stackEnv(info: StackInfo, database = APP_DATABASE): Record<string, string> {
  const tenant = info.s3.tenants[0];
  return {
    STACK_MODE: info.mode,
    DATABASE_URL: databaseUrl(info, database),
    REDIS_URL: info.redis.url,
    S3_ENDPOINT: info.s3.endpoint,
    S3_REGION: info.s3.region,
    S3_ACCESS_KEY: info.s3.service.accessKey,
    S3_SECRET_KEY: info.s3.service.secretKey,
    ...(tenant
      ? { DEMO_TENANT_S3_ACCESS_KEY: tenant.accessKey, DEMO_TENANT_S3_SECRET_KEY: tenant.secretKey }
      : {}),
    [STACK_ENV_VAR]: JSON.stringify(info),
  };
}

/** `KEY=value` lines; values with characters a shell would interpret are single-quoted. */
export function formatEnvFile(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([key, value]) =>
    /^[A-Za-z0-9_:/.@+-]*$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/'/g, `'\\''`)}'`,
  );
  return `# Written by \`pnpm stack up\`; valid while that process runs.\n${lines.join('\n')}\n`;
}

/** Reads a StackInfo from `CLOUD_IMAGES_STACK`, if set. */
export function stackInfoFromEnv(env: NodeJS.ProcessEnv = process.env): StackInfo | undefined {
  const raw = env[STACK_ENV_VAR];
  if (!raw) return undefined;
  const info = JSON.parse(raw) as StackInfo;
  if (!info?.postgres?.adminUrl || !info.redis?.url || !info.s3?.endpoint) {
    throw new Error(`${STACK_ENV_VAR} does not hold a StackInfo JSON`);
  }
  return info;
}
