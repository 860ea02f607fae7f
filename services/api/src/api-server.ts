import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDatabase,
  createLogger,
  createRedisConnection,
  type Logger,
  OUTBOX_NOTIFY_CHANNEL,
  openImageStore,
  QueueName,
  TaskOutcomeWriter,
} from '@cloud-images/shared';
import { sql } from 'drizzle-orm';
import type { Express } from 'express';
import { createApp } from './app.js';
import { startLegacyMaintenanceCleanup } from './background-jobs/legacy-maintenance-cleanup.js';
import { type MaintenanceTimers, startMaintenanceTimers } from './background-jobs/maintenance-timers.js';
import { NotificationListener } from './background-jobs/notification-listener.js';
import { OutboxRelay } from './background-jobs/outbox-relay.js';
import type { ApiConfig } from './config.js';
import { TokenCache } from './http/token-cache.js';
import { changedTokenId, TOKEN_CHANGES_CHANNEL } from './http/token-changes.js';
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
  maintenance: MaintenanceTimers;
  /** Settles once the legacy BullMQ maintenance queue is gone from Redis (or at shutdown). */
  legacyCleanupDone: Promise<void>;
  readiness: Readiness;
  /** Graceful: not ready at once, stop accepting, finish in-flight requests, then close queues and the pool. */
  shutdown(): Promise<void>;
}

/**
 * Composes the whole API process from its config: Postgres pool, image store client, queues, relay,
 * dispatcher and maintenance timers, and the HTTP server. `main.ts` only calls this and wires signals;
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
  const imageStore = openImageStore(config);
  const relay = new OutboxRelay(database.db, queues.publishTaskJobs, config.OUTBOX_RELAY_INTERVAL_MS, logger);
  const readiness = new Readiness({
    postgres: async () => void (await database.db.execute(sql`select 1`)),
    redis: queues.ping,
  });
  const metrics = createApiMetrics(database.db, { taskGauges: config.EXPORT_TASK_GAUGES });
  // Its own fail-fast connection: the limiter must never wait on, or be queued behind, the relay's publishes.
  const rateLimitRedis = createRedisConnection(config.REDIS_URL, 'producer');
  const tokenCache = new TokenCache(config.TOKEN_CACHE_TTL_MS);
  const app = createApp({
    db: database.db,
    imageStore,
    logger,
    metrics,
    taskTtlSeconds: config.TASK_TTL_SECONDS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustForwardedHeaders: config.TRUST_FORWARDED_HEADERS,
    tokenCache,
    tenantLimits: config,
    rateLimit: {
      redis: rateLimitRedis,
      points: config.RATE_LIMIT_POINTS,
      durationSeconds: config.RATE_LIMIT_DURATION_SECONDS,
      keyPrefix: config.QUEUE_PREFIX,
      logger,
    },
    onTaskQueued: () => maintenance.dispatcher.taskQueued(),
  });

  const maintenance = startMaintenanceTimers(config, {
    db: database.db,
    outcomes: new TaskOutcomeWriter(database.db, config.TASK_TTL_SECONDS),
    ensureTaskJob: queues.ensureTaskJob,
    kickRelay: () => relay.kick(),
    imageStore,
    metrics,
    logger,
  });
  // The BullMQ schedulers that fired maintenance before it moved to process timers: removed from an upgraded Redis.
  const legacyCleanup = startLegacyMaintenanceCleanup(
    { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, retryMs: config.MAINTENANCE_INTERVAL_MS },
    logger,
  );
  const listener = new NotificationListener(
    config.DATABASE_URL,
    {
      [OUTBOX_NOTIFY_CHANNEL]: () => relay.kick(),
      [TOKEN_CHANGES_CHANNEL]: (payload) => tokenCache.forget(changedTokenId(payload)),
    },
    logger,
  );
  listener.start();
  relay.start();
  relay.kick(); // rows left by a previous process

  const opsApp = createOpsApp({
    logger,
    metrics,
    readiness,
    queues: [queues.taskQueue(QueueName.import), queues.taskQueue(QueueName.export)],
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Node 20 closes keep-alive sockets that are idle NOW, but not those that become idle after their
      // in-flight response ends; sweeping keeps shutdown from waiting out the keep-alive timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
      const force = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(force);
      await maintenance.stop();
      legacyCleanup.stop();
      await legacyCleanup.done;
      await listener.stop();
      // The ops listener stays up while the tenant port drains, so probes keep seeing "not ready" meanwhile.
      await new Promise<void>((resolve) => {
        opsServer.close(() => resolve());
        opsServer.closeAllConnections();
      });
      await relay.stop();
      await queues.close();
      rateLimitRedis.disconnect();
      await database.close();
      logger.info('api stopped');
    })();
    return closing;
  };
  return {
    app,
    server,
    port,
    opsServer,
    opsPort,
    relay,
    maintenance,
    legacyCleanupDone: legacyCleanup.done,
    readiness,
    shutdown,
  };
}

async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
