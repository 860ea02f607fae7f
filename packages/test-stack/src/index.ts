import './vitest-context.js';

export { APP_DATABASE, formatEnvFile, STACK_ENV_VAR, stackEnv, stackInfoFromEnv } from './env.js';
export {
  createDatabase,
  createIsolatedDatabase,
  createTenantBucket,
  databaseUrl,
  dropDatabase,
  type IsolatedDatabase,
  s3ClientFor,
  uniqueName,
} from './helpers.js';
export {
  detectMode,
  type ModeDecision,
  type RunningStack,
  type RuntimeProbe,
  type StartStackOptions,
  startStack,
} from './stack.js';
export type { S3Credentials, StackInfo, StackMode } from './types.js';
export { freePorts } from './util.js';
