import { createObjectStoreFactory, defaultObjectStoreTimeouts } from '@cloud-images/shared';
import { Client as MinioClient } from 'minio';
import { z } from 'zod';
import { TaskApi } from './api-client.js';
import type { BenchTenant, LoadSystem } from './system.js';

/** External mode's one config schema: secrets come from the environment, never from arguments. */
const externalConfigSchema = z.object({
  LOAD_TENANTS: z
    .string()
    .transform((text) => JSON.parse(text) as unknown)
    .pipe(
      z
        .array(
          z.object({
            token: z.string().min(1),
            s3AccessKey: z.string().min(1),
            s3SecretKey: z.string().min(1),
            s3Endpoint: z.url(),
            bucketPrefix: z.string().default(''),
          }),
        )
        .min(1),
    ),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  S3_ENDPOINT: z.url(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  IMAGE_STORE_BUCKET: z.string().min(3).default('cloud-images-store'),
});

function minio(endpoint: string, region: string, accessKey: string, secretKey: string): MinioClient {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new MinioClient({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    region,
    accessKey,
    secretKey,
    pathStyle: true,
  });
}

/** A running deployment (docker compose, Kubernetes): the harness only drives and audits it. */
export function externalSystem(apiUrl: string, env: NodeJS.ProcessEnv, tenantCount: number): LoadSystem {
  const parsed = externalConfigSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`external mode needs its environment (see --help): ${fields}`);
  }
  const config = parsed.data;
  if (config.LOAD_TENANTS.length < tenantCount) {
    throw new Error(`--tenants ${tenantCount} but LOAD_TENANTS lists ${config.LOAD_TENANTS.length}`);
  }
  const tenants: BenchTenant[] = config.LOAD_TENANTS.slice(0, tenantCount).map((t, i) => ({
    label: `tenant${i + 1}`,
    api: new TaskApi(apiUrl.replace(/\/$/, ''), t.token),
    s3: minio(t.s3Endpoint, config.S3_REGION, t.s3AccessKey, t.s3SecretKey),
    store: createObjectStoreFactory(defaultObjectStoreTimeouts)({
      endpoint: t.s3Endpoint,
      region: config.S3_REGION,
      accessKey: t.s3AccessKey,
      secretKey: t.s3SecretKey,
    }),
    bucketPrefix: t.bucketPrefix,
    region: config.S3_REGION,
  }));
  return {
    mode: 'external',
    apiUrl,
    tenants,
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    imageStore: {
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      bucket: config.IMAGE_STORE_BUCKET,
    },
    workerPids: () => [],
    describe: () => ({ mode: 'external', apiUrl, rateLimiter: 'as the deployment is configured' }),
    close: async () => {},
  };
}
