#!/usr/bin/env node
import { databaseConfig, loadConfigOrExit, loggingConfig } from '../config/index.js';
import { createLogger } from '../logging/logger.js';
import { runMigrations } from './migrate.js';

const config = loadConfigOrExit(databaseConfig.extend(loggingConfig.shape), process.env);
const logger = createLogger({ name: 'migrate', level: config.LOG_LEVEL });

const started = Date.now();
runMigrations(config.DATABASE_URL).then(
  () => logger.info({ ms: Date.now() - started }, 'migrations applied'),
  (error: unknown) => {
    logger.fatal({ err: error }, 'migration failed');
    process.exitCode = 1;
  },
);
