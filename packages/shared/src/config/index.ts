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
  type TenantLimitDefaults,
  taskTtlConfig,
  tenantLimitDefaultsConfig,
  tenantSecretKeyConfig,
} from './fragments.js';
export { ConfigError, loadConfigOrExit, parseConfig } from './load-config.js';
