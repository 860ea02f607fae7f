export {
  type AvailableCpusSources,
  availableCpus,
  CGROUP_CPU_MAX_PATH,
  parseCpuMax,
} from './available-cpus.js';
export {
  type DispatchConfig,
  databaseConfig,
  decodeKey,
  dispatchConfig,
  importLimitsConfig,
  loggingConfig,
  logLevel,
  objectStoreConfig,
  objectStoreTimeouts,
  redisConfig,
  requireTenantSecretKeys,
  type TenantLimitDefaults,
  taskTtlConfig,
  tenantLimitDefaultsConfig,
  tenantSecretKeyConfig,
  tenantSecretKeys,
} from './fragments.js';
export { ConfigError, loadConfigOrExit, parseConfig } from './load-config.js';
