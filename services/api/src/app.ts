import { type Database, type ImageStore, type Logger, TaskOutcomeWriter } from '@cloud-images/shared';
import express, { type Express, Router } from 'express';
import { pinoHttp } from 'pino-http';
import { authenticate } from './http/auth.js';
import { errorMiddleware } from './http/error-middleware.js';
import { NotFound } from './http/errors.js';
import { requestMetrics } from './http/request-metrics.js';
import { resource } from './http/resource-routes.js';
import { imageRoutes } from './images/image-routes.js';
import { createImageService } from './images/image-service.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import type { ApiMetrics } from './operations/metrics.js';
import { schemaRoutes } from './schemas/schema-routes.js';
import { taskRoutes } from './tasks/task-routes.js';
import { createTaskService } from './tasks/task-service.js';

export interface AppDeps {
  db: Database;
  imageStore: ImageStore;
  logger: Logger;
  metrics: ApiMetrics;
  taskTtlSeconds: number;
  bodyLimitBytes: number;
  /** Called after a task with an outbox row commits (the relay's kick). */
  onOutboxWritten: () => void;
}

/** Builds the Express app from injected dependencies; owns no connections, so tests build it freely. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(pinoHttp({ logger: deps.logger }));
  app.use(requestMetrics(deps.metrics));
  // /healthz, /readyz and /metrics live on the ops listener (ops/ops-app.ts); clients look for the spec here.
  const openApiDocument = buildOpenApiDocument();
  const spec = Router();
  resource(spec, '/openapi.json', { get: [(_req, res) => void res.json(openApiDocument)] });
  app.use(spec);
  app.use('/v2', authenticate(deps.db));
  const tasks = createTaskService({
    db: deps.db,
    outcomes: new TaskOutcomeWriter(deps.db, deps.taskTtlSeconds),
    metrics: deps.metrics,
    onOutboxWritten: deps.onOutboxWritten,
  });
  app.use(taskRoutes(tasks, deps.bodyLimitBytes));
  app.use(
    imageRoutes(
      createImageService({ db: deps.db, store: deps.imageStore, logger: deps.logger }),
      deps.imageStore,
    ),
  );
  app.use(schemaRoutes());
  app.use((req) => {
    throw new NotFound(`No resource at ${req.method} ${req.path}.`);
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
