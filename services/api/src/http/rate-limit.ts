import type { Logger } from '@cloud-images/shared';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { callerOf } from './auth.js';
import { OverLimit } from './errors.js';

export interface RateLimitOptions {
  redis: Redis;
  /** Requests one token may make per window. */
  points: number;
  durationSeconds: number;
  /** Key prefix in Redis: the deployment's, so replicas of one deployment share each token's bucket. */
  keyPrefix: string;
  logger: Logger;
}

/** How long a request may wait on Redis for its rate-limit decision before it is let through (fail open). */
const DECISION_TIMEOUT_MS = 250;

/**
 * Per-token request rate limit, shared by every API replica through Redis (rate-limiter-flexible).
 * Over the limit → 413 Over Limit with Retry-After, as Glance and Rackspace answer. When Redis is down or slow
 * the limiter fails OPEN: an outage of the limiter must not become an outage of the API. Keyed by the token's
 * id, never the token itself, so no secret reaches Redis or the logs.
 */
export function rateLimitPerToken(options: RateLimitOptions): RequestHandler {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    points: options.points,
    duration: options.durationSeconds,
    keyPrefix: `${options.keyPrefix}:rate`,
    rejectIfRedisNotReady: true,
  });
  return async (_req, res, next) => {
    const { tokenId } = callerOf(res);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        limiter.consume(tokenId),
        new Promise((resolve) => {
          timer = setTimeout(resolve, DECISION_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const seconds = Math.ceil(error.msBeforeNext / 1000);
        throw new OverLimit(
          `Over limit: this token may make ${options.points} requests per ${options.durationSeconds} s. Retry after ${seconds} s.`,
          seconds,
        );
      }
      options.logger.debug({ err: error }, 'rate limiter unavailable; request let through');
    } finally {
      clearTimeout(timer);
    }
    next();
  };
}
