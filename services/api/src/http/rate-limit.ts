import type { RequestHandler } from 'express';
import { callerOf } from './auth.js';
import { OverLimit } from './errors.js';
import { TokenOverLimit, TokenRateLimiter, type TokenRateLimiterOptions } from './token-rate-limiter.js';

export type RateLimitOptions = TokenRateLimiterOptions;

/**
 * Per-token request rate limit (TokenRateLimiter: shared through Redis, off the request's path while the token is
 * far from its limit, fail-open). Over the limit → 413 Over Limit with Retry-After, as Glance and Rackspace answer.
 * Keyed by the token's id, never the token itself, so no secret reaches Redis or the logs.
 */
export function rateLimitPerToken(options: RateLimitOptions): RequestHandler {
  const limiter = new TokenRateLimiter(options);
  return async (_req, res, next) => {
    try {
      await limiter.admit(callerOf(res).tokenId);
    } catch (error) {
      if (!(error instanceof TokenOverLimit)) throw error;
      throw new OverLimit(
        `Over limit: this token may make ${options.points} requests per ${options.durationSeconds} s. Retry after ${error.retryAfterSeconds} s.`,
        error.retryAfterSeconds,
      );
    }
    next();
  };
}
