export {
  databaseConfig,
  decodeKey,
  importLimitsConfig,
  loggingConfig,
  logLevel,
  objectStoreConfig,
  objectStoreTimeouts,
  redisConfig,
  taskTtlConfig,
  tenantSecretKeyConfig,
} from './fragments.js';
export { ConfigError, loadConfigOrExit, parseConfig } from './load-config.js';
