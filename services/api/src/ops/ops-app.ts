import type { Logger } from '@cloud-images/shared';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import { errorMiddleware } from '../http/error-middleware.js';
import { NotFound } from '../http/errors.js';
import type { ApiMetrics } from '../operations/metrics.js';
import type { Readiness } from '../operations/readiness.js';
import { operationsRoutes } from './operations-routes.js';
import { queueUiRouter } from './queue-ui.js';

export interface OpsAppDeps {
  logger: Logger;
  metrics: ApiMetrics;
  readiness: Readiness;
  queues: Queue[];
  /** The queue UI's operator credential; undefined turns the UI off. */
  queueUiCredential?: { user: string; password: string };
}

/**
 * The ops listener's app: probes, Prometheus and the queue UI, apart from the tenant port so neither tenants nor
 * the internet reach them (the NetworkPolicy admits only the monitoring namespace). No request logging: probes
 * and scrapes every few seconds would drown the access log.
 */
export function createOpsApp(deps: OpsAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(operationsRoutes({ readiness: deps.readiness, metrics: deps.metrics }));
  if (deps.queueUiCredential) {
    app.use(queueUiRouter({ queues: deps.queues, credential: deps.queueUiCredential }));
  }
  app.use((req) => {
    throw new NotFound(`No resource at ${req.method} ${req.path}.`);
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
