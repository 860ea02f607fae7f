import type { TokenRole } from '@cloud-images/shared';

/** What a valid token grants, as the auth middleware needs it. */
export interface TokenGrant {
  tokenId: string;
  tenantId: string;
  role: TokenRole;
  /** The tenant's bucket prefix (set at tenant creation, never changed), so an import needs no tenant lookup. */
  bucketPrefix: string;
  /** null: never expires. */
  expiresAt: Date | null;
}

interface Entry {
  grant: TokenGrant;
  fetchedAt: number;
}

/**
 * Recent token lookups by the token as the client sent it, so a busy client costs neither a Postgres round
 * trip nor a SHA-256 per request. The tokens stay in this process's memory, where every request carrying one
 * already puts it, and are never written anywhere.
 * An entry is served for at most `ttlMs` after it was read, so a revocation takes effect within that TTL, and
 * never once the token's own expires_at has passed: expiry is checked on every hit. Unknown tokens are not
 * cached, so a token is usable the moment `token create` commits. `ttlMs` 0 turns the cache off.
 * The admin CLI's token-change notifications (token-changes.ts) evict a revoked or rotated token at once; the
 * TTL bounds the delay only when a notification is lost (the listener was reconnecting).
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): TokenGrant | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = this.now();
    const expired = entry.grant.expiresAt !== null && entry.grant.expiresAt.getTime() <= now;
    if (expired || now - entry.fetchedAt >= this.ttlMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.grant;
  }

  /** Drops one token (it was revoked or its expiry moved), or every token when `tokenId` is undefined. */
  forget(tokenId: string | undefined): void {
    if (tokenId === undefined) {
      this.entries.clear();
      return;
    }
    for (const [token, entry] of this.entries) {
      if (entry.grant.tokenId === tokenId) this.entries.delete(token);
    }
  }

  set(token: string, grant: TokenGrant): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(token);
    // Map order is insertion order: past the bound, the entry read longest ago goes first.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { grant, fetchedAt: this.now() });
  }
}
