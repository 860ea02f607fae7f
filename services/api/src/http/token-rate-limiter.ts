import type { Logger } from '@cloud-images/shared';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface TokenRateLimiterOptions {
  redis: Redis;
  /** Requests one token may make per window. */
  points: number;
  durationSeconds: number;
  /** Key prefix in Redis: the deployment's, so replicas of one deployment share each token's bucket. */
  keyPrefix: string;
  logger: Logger;
}

/** A request refused: the token spent its points for this window. */
export class TokenOverLimit extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`over the rate limit; retry after ${retryAfterSeconds} s`);
  }
}

/** How long a request may wait on Redis for its rate-limit decision before it is let through (fail open). */
const DECISION_TIMEOUT_MS = 250;
const MAX_TRACKED_TOKENS = 10_000;

/**
 * What this process last heard from Redis about a token's window: `remaining` points then; `unsent` requests let
 * through and not yet counted in Redis; `unanswered` requests counted but not yet answered.
 */
interface Headroom {
  remaining: number;
  resetAt: number;
  unsent: number;
  unanswered: number;
  flush: NodeJS.Timeout | undefined;
}

/** Requests let through unasked are counted in Redis together, once per this interval per token. */
const COUNT_FLUSH_MS = 20;

/**
 * Per-token request budget shared by every API replica through Redis (rate-limiter-flexible). A request only
 * WAITS for Redis when this process cannot tell that the token has points left. When Redis last said `remaining`
 * points and this process has since let `unsent + unanswered` requests through, a request that finds
 * `remaining − unsent − unanswered ≥ 1` goes on at once; such requests are counted in Redis in one command per
 * token every COUNT_FLUSH_MS. So a token far from its limit costs no Redis round trip on its requests' path and
 * about one Redis command per token per 20 ms, and within one process the limit stays exact. Across replicas a
 * token may get, beyond its points, what other replicas let through in one flush interval and round trip. Unknown
 * tokens, tokens near their limit and windows that have reset wait for Redis. When Redis is down or slow the
 * limiter fails OPEN: an outage of the limiter must not become an outage of the API.
 */
export class TokenRateLimiter {
  private readonly limiter: RateLimiterRedis;
  private readonly headroom = new Map<string, Headroom>();

  constructor(private readonly options: TokenRateLimiterOptions) {
    this.limiter = new RateLimiterRedis({
      storeClient: options.redis,
      points: options.points,
      duration: options.durationSeconds,
      keyPrefix: `${options.keyPrefix}:rate`,
      rejectIfRedisNotReady: true,
    });
  }

  /** Resolves when the request may go on; rejects with TokenOverLimit when the token is out of points. */
  async admit(tokenId: string): Promise<void> {
    const known = this.headroom.get(tokenId);
    if (known && Date.now() < known.resetAt && known.remaining - known.unsent - known.unanswered >= 1) {
      known.unsent += 1;
      known.flush ??= setTimeout(() => this.flush(tokenId), COUNT_FLUSH_MS).unref();
      return;
    }
    // Counted with this request, in the same command, so Redis judges it after every request let through before.
    const unsent = this.takeUnsent(known);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.consume(tokenId, unsent + 1, unsent),
        new Promise((resolve) => {
          timer = setTimeout(resolve, DECISION_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (error instanceof TokenOverLimit) throw error;
      this.options.logger.debug({ err: error }, 'rate limiter unavailable; request let through');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts in Redis, in one command, the requests of a token let through since the last flush. */
  private flush(tokenId: string): void {
    const points = this.takeUnsent(this.headroom.get(tokenId));
    // A refusal here only tells the next requests: these were let through already (other replicas spent the points).
    if (points > 0) this.consume(tokenId, points, points).catch(() => {});
  }

  /** The requests let through and not yet sent, now on their way to Redis. */
  private takeUnsent(entry: Headroom | undefined): number {
    if (!entry) return 0;
    clearTimeout(entry.flush);
    entry.flush = undefined;
    const points = entry.unsent;
    entry.unsent = 0;
    entry.unanswered += points;
    return points;
  }

  /** Counts `points` requests in Redis; what Redis answers becomes the token's headroom for the next requests. */
  private async consume(tokenId: string, points: number, wasUnanswered = 0): Promise<void> {
    try {
      const res = await this.limiter.consume(tokenId, points);
      this.remember(tokenId, res, wasUnanswered);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        this.remember(tokenId, error, wasUnanswered);
        throw new TokenOverLimit(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      // Redis unavailable: forget what we knew, so the next requests ask again (and fail open if it is still down).
      const entry = this.headroom.get(tokenId);
      clearTimeout(entry?.flush);
      this.headroom.delete(tokenId);
      throw error;
    }
  }

  private remember(tokenId: string, res: RateLimiterRes, wasUnanswered: number): void {
    // Redis answers one connection's commands in order, so the latest answer carries the latest count.
    const current = this.headroom.get(tokenId);
    if (current) {
      current.remaining = res.remainingPoints;
      current.resetAt = Date.now() + res.msBeforeNext;
      current.unanswered = Math.max(0, current.unanswered - wasUnanswered);
      return;
    }
    if (this.headroom.size >= MAX_TRACKED_TOKENS) {
      const oldest = this.headroom.keys().next();
      if (!oldest.done) {
        this.flush(oldest.value); // its counts still reach Redis
        this.headroom.delete(oldest.value);
      }
    }
    this.headroom.set(tokenId, {
      remaining: res.remainingPoints,
      resetAt: Date.now() + res.msBeforeNext,
      unsent: 0,
      unanswered: 0,
      flush: undefined,
    });
  }
}
