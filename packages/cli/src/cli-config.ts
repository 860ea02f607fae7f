import { z } from 'zod';
import type { Flags } from './arguments.js';
import { CliError } from './errors.js';
import { readSecret } from './secret-input.js';

/** The environment the CLI reads; flags win over it. Only cli.ts passes process.env here. */
export const cliEnvSchema = z.object({
  CLOUD_IMAGES_API_URL: z.url().optional(),
  CLOUD_IMAGES_TOKEN: z.string().min(1).optional(),
  CLOUD_IMAGES_S3_ENDPOINT: z.url().optional(),
  CLOUD_IMAGES_S3_ACCESS_KEY: z.string().min(1).optional(),
  CLOUD_IMAGES_S3_SECRET_KEY: z.string().min(1).optional(),
  CLOUD_IMAGES_S3_REGION: z.string().min(1).default('us-east-1'),
  CLOUD_IMAGES_BUCKET_PREFIX: z.string().default(''),
});
export type CliEnv = z.output<typeof cliEnvSchema>;

export interface ApiSettings {
  apiUrl: string;
  token: string;
}

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucketPrefix: string;
}

export function parseCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = cliEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`invalid ${issue.path.join('.')}: ${issue.message}`, 64);
  }
  return parsed.data;
}

const str = (flags: Flags, key: string) =>
  typeof flags[key] === 'string' ? (flags[key] as string) : undefined;

export async function apiSettings(
  flags: Flags,
  env: CliEnv,
  stdin: NodeJS.ReadableStream,
): Promise<ApiSettings> {
  const apiUrl = str(flags, 'api-url') ?? env.CLOUD_IMAGES_API_URL;
  if (!apiUrl) throw new CliError('no API URL: pass --api-url or set CLOUD_IMAGES_API_URL', 64);
  const tokenFile = str(flags, 'token-file');
  const token = tokenFile ? await readSecret(tokenFile, 'API token', stdin) : env.CLOUD_IMAGES_TOKEN;
  if (!token) throw new CliError('no API token: set CLOUD_IMAGES_TOKEN or pass --token-file PATH|-', 64);
  return { apiUrl: apiUrl.replace(/\/+$/, ''), token };
}

export async function s3Settings(
  flags: Flags,
  env: CliEnv,
  stdin: NodeJS.ReadableStream,
): Promise<S3Settings> {
  const endpoint = str(flags, 's3-endpoint') ?? env.CLOUD_IMAGES_S3_ENDPOINT;
  const accessKey = str(flags, 's3-access-key') ?? env.CLOUD_IMAGES_S3_ACCESS_KEY;
  const secretFile = str(flags, 's3-secret-key-file');
  const secretKey = secretFile
    ? await readSecret(secretFile, 'S3 secret key', stdin)
    : env.CLOUD_IMAGES_S3_SECRET_KEY;
  if (!endpoint) throw new CliError('no S3 endpoint: pass --s3-endpoint or set CLOUD_IMAGES_S3_ENDPOINT', 64);
  if (!accessKey)
    throw new CliError('no S3 access key: pass --s3-access-key or set CLOUD_IMAGES_S3_ACCESS_KEY', 64);
  if (!secretKey) {
    throw new CliError(
      'no S3 secret key: set CLOUD_IMAGES_S3_SECRET_KEY or pass --s3-secret-key-file PATH|-',
      64,
    );
  }
  return {
    endpoint,
    accessKey,
    secretKey,
    region: str(flags, 's3-region') ?? env.CLOUD_IMAGES_S3_REGION,
    bucketPrefix: str(flags, 'bucket-prefix') ?? env.CLOUD_IMAGES_BUCKET_PREFIX,
  };
}
