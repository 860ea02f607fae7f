import { createLogger, loadConfigOrExit } from '@cloud-images/shared';
import { workerConfigSchema } from './config.js';
import { startHealthServer } from './health-server.js';
import { startWorkerApp } from './worker-app.js';

// Wiring only: config → app → health server → signals.
const config = loadConfigOrExit(workerConfigSchema, process.env);
const logger = createLogger({ name: 'cloud-images-worker', level: config.LOG_LEVEL });
const app = await startWorkerApp(config, logger, { defaultMetrics: true });
const health = await startHealthServer({
  port: config.HEALTH_PORT,
  host: config.HEALTH_HOST,
  isReady: () => app.isReady(),
  registry: app.metrics.registry,
});
logger.info({ port: health.port, host: config.HEALTH_HOST, pid: process.pid }, 'worker ready');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app
      .stop()
      .then(() => health.server.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: String(error) }, 'unclean stop');
          process.exit(1);
        },
      );
  });
}
