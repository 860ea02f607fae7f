export * from './config/index.js';
export * from './contract/index.js';
export * from './db/index.js';
export * from './logging/logger.js';
export * from './queue/index.js';
export * from './security/index.js';
export * from './storage/index.js';
export * from './tasks/index.js';
