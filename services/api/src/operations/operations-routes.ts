import { Router } from 'express';
import { resource } from '../http/resource-routes.js';
import type { ApiMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';

/** Unauthenticated endpoints for the platform: liveness, readiness, Prometheus and the OpenAPI document. */
export function operationsRoutes(deps: {
  readiness: Readiness;
  metrics: ApiMetrics;
  openApiDocument: object;
}): Router {
  const router = Router();
  resource(router, '/healthz', { get: [(_req, res) => void res.json({ status: 'ok' })] });
  resource(router, '/readyz', {
    get: [
      async (_req, res) => {
        res.json({ status: 'ready', checks: await deps.readiness.assertReady() });
      },
    ],
  });
  resource(router, '/metrics', {
    get: [
      async (_req, res) => {
        res
          .set('Content-Type', deps.metrics.registry.contentType)
          .send(await deps.metrics.registry.metrics());
      },
    ],
  });
  resource(router, '/openapi.json', { get: [(_req, res) => void res.json(deps.openApiDocument)] });
  return router;
}
