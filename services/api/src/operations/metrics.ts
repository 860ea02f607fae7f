import { type Database, outbox } from '@cloud-images/shared';
import { isNull, sql } from 'drizzle-orm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { registerTaskGauges } from './task-gauges.js';

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  tasksCreated: Counter<'type'>;
  /** What the image-store sweep removed: `object` (orphaned objects) or `multipart_upload` (stale uploads). */
  imageStoreSwept: Counter<'kind'>;
}

/**
 * One registry per app (not prom-client's global), so tests can build several apps in one process. Every name
 * starts with `cloud_images_api_` (process metrics included), except the deployment-wide task gauges.
 * Outbox lag is measured at scrape time from Postgres: it is the age of the oldest unpublished row,
 * which is what an operator alerts on when Redis is down or the relay is stuck.
 */
export function createApiMetrics(db: Database, options: { taskGauges?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cloud_images_api_' });
  const httpRequests = new Counter({
    name: 'cloud_images_api_http_requests_total',
    help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'cloud_images_api_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const tasksCreated = new Counter({
    name: 'cloud_images_api_tasks_created_total',
    help: 'Tasks created, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const imageStoreSwept = new Counter({
    name: 'cloud_images_image_store_swept_total',
    help: 'Image-store leftovers removed by the periodic sweep: orphaned objects and stale multipart uploads.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: 'cloud_images_api_outbox_lag_seconds',
    help: 'Age of the oldest outbox row not yet published to the queue (0 when none).',
    registers: [registry],
  });
  const pendingRows = new Gauge({
    name: 'cloud_images_api_outbox_unpublished_rows',
    help: 'Outbox rows not yet published to the queue.',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({
          count: sql<number>`count(*)::int`,
          lag: sql<number>`coalesce(extract(epoch from now() - min(${outbox.createdAt})), 0)::float8`,
        })
        .from(outbox)
        .where(isNull(outbox.publishedAt));
      this.set(row?.count ?? 0);
      lagSeconds.set(row?.lag ?? 0);
    },
  });
  void pendingRows;
  if (options.taskGauges) registerTaskGauges(db, registry);
  return { registry, httpRequests, httpDuration, tasksCreated, imageStoreSwept };
}
