import type { RequestHandler } from 'express';
import type { ApiMetrics } from '../operations/metrics.js';

/**
 * Counts and times every request by its route TEMPLATE (`/v2/tasks/:id`), never the raw URL,
 * so ids do not explode the label cardinality. Unmatched requests share one label.
 */
export function requestMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const labels = {
        method: req.method,
        route: typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : 'unmatched',
        status: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      stop(labels);
    });
    next();
  };
}
