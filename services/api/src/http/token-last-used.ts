import { apiTokens, type Database, type Logger } from '@cloud-images/shared';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';

/** last_used_at is an operator's hint ("is this token still in use?"): minute precision is plenty. */
const INTERVAL_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Records when tokens are used without a write per request. Each process tries at most once a minute per
 * token, and the UPDATE itself only changes a row whose last_used_at is null or over a minute old, so several
 * API replicas together still write each token at most about once a minute. Fire-and-forget: a failed write
 * is logged and never fails the request.
 */
export class TokenLastUsed {
  private readonly attempted = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(tokenId: string): void {
    const now = this.now();
    const last = this.attempted.get(tokenId);
    if (last !== undefined && now - last < INTERVAL_MS) return;
    this.attempted.delete(tokenId);
    if (this.attempted.size >= MAX_TRACKED) {
      const oldest = this.attempted.keys().next();
      if (!oldest.done) this.attempted.delete(oldest.value);
    }
    this.attempted.set(tokenId, now);
    this.db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiTokens.id, tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      )
      .then(
        () => {},
        (err: unknown) => this.logger.warn({ err, tokenId }, 'could not record when a token was last used'),
      );
  }
}
