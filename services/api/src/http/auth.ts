import {
  apiTokens,
  type Database,
  hashApiToken,
  type Logger,
  type TokenRole,
  tenants,
} from '@cloud-images/shared';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { RequestHandler, Response } from 'express';
import type { Caller } from '../caller.js';
import { Forbidden, Unauthorized } from './errors.js';
import type { TokenCache, TokenGrant } from './token-cache.js';
import { TokenLastUsed } from './token-last-used.js';

/** Roles that may change things (create tasks, delete images); `observer` may only read (Rackspace RBAC). */
const WRITE_ROLES: readonly TokenRole[] = ['admin', 'creator'];

export interface AuthOptions {
  /** Recent lookups (TOKEN_CACHE_TTL_MS); its owner evicts tokens the admin CLI changed. */
  cache: TokenCache;
  logger: Logger;
}

/** A token that is neither revoked nor past its expiry, by hash; expiry is judged on the database's clock. */
async function lookUpGrant(db: Database, tokenHash: string): Promise<TokenGrant | undefined> {
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      tenantId: apiTokens.tenantId,
      role: apiTokens.role,
      bucketPrefix: tenants.bucketPrefix,
      expiresAt: apiTokens.expiresAt,
    })
    .from(apiTokens)
    .innerJoin(tenants, eq(tenants.id, apiTokens.tenantId))
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Resolves `X-Auth-Token` to a caller by its SHA-256 hash (Postgres holds only hashes). A missing token is 401; an unknown, revoked or
 * expired one gets one and the same 401, so a client cannot tell which.
 */
export function authenticate(db: Database, options: AuthOptions): RequestHandler {
  const { cache } = options;
  const lastUsed = new TokenLastUsed(db, options.logger);
  return async (req, res, next) => {
    const token = req.get('x-auth-token');
    if (!token) throw new Unauthorized('The X-Auth-Token header is missing.');
    // The cache is keyed by the token as sent: a hit costs no SHA-256. Only the hash leaves the process.
    let grant = cache.get(token);
    if (!grant) {
      grant = await lookUpGrant(db, hashApiToken(token));
      if (grant) cache.set(token, grant);
    }
    if (!grant) throw new Unauthorized('The X-Auth-Token is not valid.');
    lastUsed.record(grant.tokenId);
    const caller: Caller = {
      tenantId: grant.tenantId,
      role: grant.role,
      tokenId: grant.tokenId,
      bucketPrefix: grant.bucketPrefix,
    };
    res.locals.caller = caller;
    next();
  };
}

export type { Caller };

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Unauthorized('The request is not authenticated.');
  return caller;
}

/** Guards routes that change state: observers get 403 before their body is even read. */
export const requireWriteRole: RequestHandler = (_req, res, next) => {
  const caller = callerOf(res);
  if (!WRITE_ROLES.includes(caller.role)) {
    throw new Forbidden(`The role '${caller.role}' may read but not change resources.`);
  }
  next();
};
