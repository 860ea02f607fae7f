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
export type { RestartableService } from './native.js';
export { type PrivateRedis, type PrivateRedisOptions, startRedis } from './private-redis.js';
export { type CommandRun, type RunCommandOptions, runCommand } from './run-command.js';
export { type SeededTenant, type SeedTenantOptions, type SqlRunner, seedTenant } from './seed-tenant.js';
export type { LogEntry, LogLine, LogMatch } from './service-log.js';
export { type ExitStatus, ServiceProcess, type ServiceProcessOptions } from './service-process.js';
export { loggedPortReadiness, type Readiness, waitForHttpOk } from './service-readiness.js';
export { type ServiceName, type SpawnServiceOptions, spawnService } from './spawn-service.js';
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
