import { Router } from 'express';
import { resource } from '../http/resource-routes.js';
import type { ApiMetrics } from '../operations/metrics.js';
import type { Readiness } from '../operations/readiness.js';

/** The platform's unauthenticated endpoints, served on the ops listener only: liveness, readiness, Prometheus. */
export function operationsRoutes(deps: { readiness: Readiness; metrics: ApiMetrics }): Router {
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
  return router;
}
