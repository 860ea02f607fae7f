#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { databaseConfig, loadConfigOrExit, loggingConfig } from '../config/index.js';
import { createLogger } from '../logging/logger.js';
import { runMigrations } from './migrate.js';

const USAGE = `usage: cloud-images-migrate [-h|--help]
Applies the committed SQL migrations to DATABASE_URL (idempotent; an advisory lock lets several run at once),
then exits 0. Environment: DATABASE_URL (required), LOG_LEVEL. Exit 64: bad usage, 78: bad config, 1: failed.`;

// Parsed like the other CLIs (node:util parseArgs, strict): --help must never run the migrations.
let help = false;
try {
  help = parseArgs({ args: process.argv.slice(2), options: { help: { type: 'boolean', short: 'h' } } }).values
    .help as boolean;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(64);
}
if (help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

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
