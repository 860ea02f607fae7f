import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDatabase,
  createLogger,
  createObjectStoreFactory,
  type ImageStore,
  type Logger,
  objectStoreTimeouts,
  QueueName,
} from '@cloud-images/shared';
import { sql } from 'drizzle-orm';
import type { Express } from 'express';
import { createApp } from './app.js';
import { purgeExpiredTasks } from './background-jobs/expired-task-purge.js';
import { OutboxRelay } from './background-jobs/outbox-relay.js';
import { reconcilePendingTasks } from './background-jobs/pending-task-reconciler.js';
import type { ApiConfig } from './config.js';
import { createApiMetrics } from './operations/metrics.js';
import { Readiness } from './operations/readiness.js';
import { createOpsApp } from './ops/ops-app.js';
import { createApiQueues } from './queues.js';

export interface RunningApi {
  app: Express;
  server: Server;
  port: number;
  /** The ops listener: /healthz, /readyz, /metrics and the queue UI. */
  opsServer: Server;
  opsPort: number;
  relay: OutboxRelay;
  readiness: Readiness;
  /** Graceful: not ready at once, stop accepting, finish in-flight requests, then close queues and the pool. */
  shutdown(): Promise<void>;
}

/**
 * Composes the whole API process from its config: Postgres pool, image store client, queues, relay,
 * maintenance schedulers and worker, and the HTTP server. `main.ts` only calls this and wires signals;
 * tests call it with a per-file config.
 */
export async function startApi(
  config: ApiConfig,
  logger: Logger = createLogger({ name: 'api', level: config.LOG_LEVEL }),
): Promise<RunningApi> {
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    applicationName: 'cloud-images-api',
  });
  const queues = createApiQueues({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  const imageStore: ImageStore = {
    objects: createObjectStoreFactory(objectStoreTimeouts(config))({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
    }),
    bucket: config.IMAGE_STORE_BUCKET,
    partSize: config.S3_PART_SIZE,
  };
  const relay = new OutboxRelay(database.db, queues.publishTaskJobs, config.OUTBOX_RELAY_INTERVAL_MS, logger);
  const readiness = new Readiness({
    postgres: async () => void (await database.db.execute(sql`select 1`)),
    redis: queues.ping,
  });
  const metrics = createApiMetrics(database.db, { taskGauges: config.EXPORT_TASK_GAUGES });
  const app = createApp({
    db: database.db,
    imageStore,
    logger,
    metrics,
    taskTtlSeconds: config.TASK_TTL_SECONDS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    onOutboxWritten: () => relay.kick(),
  });

  queues.startMaintenanceWorker({
    'reconcile-pending-tasks': () =>
      reconcilePendingTasks(database.db, queues.ensureTaskJob, config.PENDING_RECONCILE_AFTER_SECONDS),
    'purge-expired-tasks': () => purgeExpiredTasks(database.db, new Date()),
  });
  // Redis may be down at start-up: keep trying in the background rather than refusing to serve.
  let schedulerRetry: NodeJS.Timeout | undefined;
  const upsertSchedulers = () => {
    queues.upsertMaintenanceSchedulers(config.MAINTENANCE_INTERVAL_MS).catch((error: unknown) => {
      logger.warn({ err: error }, 'maintenance schedulers not registered yet; retrying');
      schedulerRetry = setTimeout(upsertSchedulers, 5_000).unref();
    });
  };
  upsertSchedulers();
  relay.start();
  relay.kick(); // rows left by a previous process

  const opsApp = createOpsApp({
    logger,
    metrics,
    readiness,
    queues: [queues.taskQueue(QueueName.import), queues.taskQueue(QueueName.export), queues.maintenanceQueue],
    queueUiCredential: config.QUEUE_UI_PASSWORD
      ? { user: config.QUEUE_UI_USER, password: config.QUEUE_UI_PASSWORD }
      : undefined,
  });
  const opsServer = await listen(opsApp, config.OPS_PORT, config.OPS_HOST);
  const server = await listen(app, config.PORT, config.HOST);
  const port = (server.address() as AddressInfo).port;
  const opsPort = (opsServer.address() as AddressInfo).port;
  logger.info(
    {
      port,
      host: config.HOST,
      opsPort,
      opsHost: config.OPS_HOST,
      queueUi: Boolean(config.QUEUE_UI_PASSWORD),
    },
    'api listening',
  );

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      readiness.beginShutdown();
      clearTimeout(schedulerRetry);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Node 20 closes keep-alive sockets that are idle NOW, but not those that become idle after their
      // in-flight response ends; sweeping keeps shutdown from waiting out the keep-alive timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
      const force = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(force);
      // The ops listener stays up while the tenant port drains, so probes keep seeing "not ready" meanwhile.
      await new Promise<void>((resolve) => {
        opsServer.close(() => resolve());
        opsServer.closeAllConnections();
      });
      await relay.stop();
      await queues.close();
      await database.close();
      logger.info('api stopped');
    })();
    return closing;
  };
  return { app, server, port, opsServer, opsPort, relay, readiness, shutdown };
}

async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
