import { z } from 'zod';

/** Everything the demo needs to act as an API client that also owns an object-store account. */
export const demoConfigSchema = z.object({
  API_URL: z.url().default('http://127.0.0.1:9292'),
  API_TOKEN: z.string().min(1),
  DEMO_S3_ENDPOINT: z.url(),
  DEMO_S3_REGION: z.string().default('us-east-1'),
  DEMO_TENANT_S3_ACCESS_KEY: z.string().min(1),
  DEMO_TENANT_S3_SECRET_KEY: z.string().min(1),
  DEMO_BUCKET_PREFIX: z.string().default(''),
  DEMO_CONTAINER: z.string().default('demo'),
  DEMO_EXPORT_CONTAINER: z.string().default('exports'),
  DEMO_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(180),
});

export type DemoConfig = z.output<typeof demoConfigSchema>;
