import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/**
 * Builds the ioredis connection for BullMQ.
 * - `worker`: blocking connections must never give up (`maxRetriesPerRequest: null`) and reconnect forever,
 *   so a Redis restart pauses workers instead of killing them.
 * - `producer` (the API): fail fast. Commands are not queued while disconnected, so an enqueue while Redis
 *   is down errors at once and the outbox relay retries later instead of hanging a request.
 */
export function createRedisConnection(url: string, role: RedisRole, overrides: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'worker'
      ? {
          maxRetriesPerRequest: null,
          enableReadyCheck: false,
          retryStrategy: (times) => Math.min(times * 200, 5_000),
        }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 2_000,
          retryStrategy: (times) => Math.min(times * 200, 2_000),
        };
  const redis = new Redis(url, { ...base, ...overrides, lazyConnect: false });
  // Connection errors are reported through readiness/metrics; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}
