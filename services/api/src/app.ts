import {
  type Database,
  type ImageStore,
  type Logger,
  TaskOutcomeWriter,
  type TenantLimitDefaults,
} from '@cloud-images/shared';
import express, { type Express, Router } from 'express';
import { authenticate } from './http/auth.js';
import { errorMiddleware } from './http/error-middleware.js';
import { NotFound } from './http/errors.js';
import { type RateLimitOptions, rateLimitPerToken } from './http/rate-limit.js';
import { requestLog } from './http/request-log.js';
import { requestMetrics } from './http/request-metrics.js';
import { resource } from './http/resource-routes.js';
import type { TokenCache } from './http/token-cache.js';
import { imageDownloadRoutes } from './images/image-download-routes.js';
import { imageRoutes } from './images/image-routes.js';
import { createImageService } from './images/image-service.js';
import { memberRoutes } from './images/member-routes.js';
import { createMemberService } from './images/member-service.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import type { ApiMetrics } from './operations/metrics.js';
import { schemaRoutes } from './schemas/schema-routes.js';
import { taskRoutes } from './tasks/task-routes.js';
import { createTaskService } from './tasks/task-service.js';
import { serveUnversionedAsCurrent } from './versions/unversioned-paths.js';
import { versionRoutes } from './versions/version-routes.js';

export interface AppDeps {
  db: Database;
  imageStore: ImageStore;
  logger: Logger;
  metrics: ApiMetrics;
  taskTtlSeconds: number;
  bodyLimitBytes: number;
  tenantLimits: TenantLimitDefaults;
  /** The per-token request rate limit; none when absent. */
  rateLimit?: RateLimitOptions;
  /** Called after a pending task commits (the dispatcher's kick). */
  onTaskQueued: () => void;
  /** Whether X-Forwarded-Proto/-Host may shape absolute links. */
  trustForwardedHeaders: boolean;
  /** Recent token lookups (TOKEN_CACHE_TTL_MS), shared with whoever evicts changed tokens. */
  tokenCache: TokenCache;
}

/** Builds the Express app from injected dependencies; owns no connections, so tests build it freely. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger));
  app.use(requestMetrics(deps.metrics));
  // /healthz, /readyz and /metrics live on the ops listener (ops/ops-app.ts); clients look for the spec here.
  const openApiDocument = buildOpenApiDocument();
  const spec = Router();
  resource(spec, '/openapi.json', { get: [(_req, res) => void res.json(openApiDocument)] });
  app.use(spec);
  app.use(versionRoutes(deps.trustForwardedHeaders));
  app.use(serveUnversionedAsCurrent());
  app.use('/v2', authenticate(deps.db, { cache: deps.tokenCache, logger: deps.logger }));
  if (deps.rateLimit) app.use('/v2', rateLimitPerToken(deps.rateLimit));
  const tasks = createTaskService({
    db: deps.db,
    outcomes: new TaskOutcomeWriter(deps.db, deps.taskTtlSeconds),
    metrics: deps.metrics,
    limits: deps.tenantLimits,
    onTaskQueued: deps.onTaskQueued,
  });
  app.use(taskRoutes(tasks, deps.bodyLimitBytes));
  const images = createImageService({ db: deps.db, store: deps.imageStore, logger: deps.logger });
  app.use(imageDownloadRoutes(images, deps.imageStore));
  app.use(memberRoutes(createMemberService(deps.db, images), deps.bodyLimitBytes));
  app.use(imageRoutes(images, deps.bodyLimitBytes));
  app.use(schemaRoutes());
  app.use((req) => {
    throw new NotFound(`No resource at ${req.method} ${req.path}.`);
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
