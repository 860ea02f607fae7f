#!/usr/bin/env node
import { createLogger, loadConfigOrExit } from '@cloud-images/shared';
import { startApi } from './api-server.js';
import { apiConfigSchema } from './config.js';

const config = loadConfigOrExit(apiConfigSchema, process.env);
const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
const api = await startApi(config, logger);

// Readiness fails from the first SIGTERM on, so the load balancer drains us while in-flight requests finish.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    api.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
