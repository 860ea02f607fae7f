import { type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Paths that may carry credentials. pino replaces their values with "[redacted]" before anything is written,
 * so a stray `logger.info({ req })` or `{ tenant }` cannot leak a token or a secret.
 */
export const REDACTED_PATHS = [
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-auth-token"]',
  'headers.authorization',
  'token',
  'password',
  'secret',
  'secretKey',
  'accessKey',
  'sessionToken',
  's3SecretKey',
  's3SecretKeyEncrypted',
  'tenantSecretKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.secretKey',
  '*.accessKey',
  '*.sessionToken',
  '*.s3SecretKey',
  '*.s3SecretKeyEncrypted',
  'config.S3_SECRET_KEY',
  'config.TENANT_SECRET_KEY',
  'config.TENANT_SECRET_KEYS',
  'config.TENANT_S3_SECRET_KEY',
  'config.DATABASE_URL',
  'config.REDIS_URL',
  'S3_SECRET_KEY',
  'TENANT_SECRET_KEY',
  'TENANT_SECRET_KEYS',
  'TENANT_S3_SECRET_KEY',
];

export function createLogger(options: {
  name: string;
  level?: string;
  /** For tests: where log lines go. Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}): Logger {
  const pinoOptions: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination
    ? pino(pinoOptions, options.destination as pino.DestinationStream)
    : pino(pinoOptions);
}

export type { Logger };
