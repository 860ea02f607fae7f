import { apiTokens, type Database, hashApiToken, type TokenRole } from '@cloud-images/shared';
import { and, eq, isNull } from 'drizzle-orm';
import type { RequestHandler, Response } from 'express';
import type { Caller } from '../caller.js';
import { Forbidden, Unauthorized } from './errors.js';

/** Roles that may change things (create tasks, delete images); `observer` may only read (Rackspace RBAC). */
const WRITE_ROLES: readonly TokenRole[] = ['admin', 'creator'];

/** Resolves `X-Auth-Token` to a caller by its SHA-256 hash; a missing, unknown or revoked token is 401. */
export function authenticate(db: Database): RequestHandler {
  return async (req, res, next) => {
    const token = req.get('x-auth-token');
    if (!token) throw new Unauthorized('The X-Auth-Token header is missing.');
    const [row] = await db
      .select({ id: apiTokens.id, tenantId: apiTokens.tenantId, role: apiTokens.role })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, hashApiToken(token)), isNull(apiTokens.revokedAt)))
      .limit(1);
    if (!row) throw new Unauthorized('The X-Auth-Token is not valid.');
    const caller: Caller = { tenantId: row.tenantId, role: row.role, tokenId: row.id };
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
