import {
  apiTokens,
  type DbExecutor,
  generateApiToken,
  hashApiToken,
  isUuid,
  type TokenRole,
  tenants,
} from '@cloud-images/shared';
import { and, asc, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import { notifyTokenChange } from '../http/token-changes.js';
import { AdminError } from './admin-commands.js';
import type { TokenLifetime } from './token-duration.js';

/** `now() + ms` on the database's clock, the one the API compares expires_at against; null for never. */
function expiryAfter(lifetime: TokenLifetime): SQL | null {
  return lifetime === null ? null : sql`now() + ${lifetime}::double precision * interval '1 millisecond'`;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** A token's id, or the token itself (matched by its hash; the text never reaches a query or a message). */
function matchToken(idOrToken: string): { match: SQL; shown: string } {
  return isUuid(idOrToken)
    ? { match: eq(apiTokens.id, idOrToken), shown: idOrToken }
    : { match: eq(apiTokens.tokenHash, hashApiToken(idOrToken)), shown: '<token>' };
}

/** Not revoked and not past its expiry: the tokens the API accepts. */
const isLive = () =>
  and(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)));

export interface TokenInput {
  tenantId: string;
  role: TokenRole;
  description?: string | null;
  /** Milliseconds from now, or null for a token that never expires. */
  lifetime: TokenLifetime;
}

/** Issues a token. The plaintext is returned ONCE here; only its SHA-256 is stored. */
export async function createToken(db: DbExecutor, input: TokenInput) {
  const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, input.tenantId));
  if (!tenant) throw new AdminError(`no tenant with id '${input.tenantId}'`);
  const token = generateApiToken();
  const [row] = await db
    .insert(apiTokens)
    .values({
      tenantId: input.tenantId,
      role: input.role,
      tokenHash: hashApiToken(token),
      description: input.description ?? null,
      expiresAt: expiryAfter(input.lifetime),
    })
    .returning();
  if (!row) throw new AdminError('token not created');
  return {
    id: row.id,
    tenant_id: row.tenantId,
    role: row.role,
    description: row.description,
    token,
    created_at: row.createdAt.toISOString(),
    /** Always present: null says in so many words that the token never expires. */
    expires_at: iso(row.expiresAt),
    expires: row.expiresAt ? row.expiresAt.toISOString() : 'never',
  };
}

/**
 * Revokes a token by its id (or by the token itself); already-revoked tokens are reported, not re-revoked.
 * API processes drop it from their token caches when this commits (token-changes.ts).
 */
export async function revokeToken(db: DbExecutor, idOrToken: string) {
  const { match, shown } = matchToken(idOrToken);
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(match, isNull(apiTokens.revokedAt)))
    .returning();
  if (!row) throw new AdminError(`no active token matches '${shown}'`);
  await notifyTokenChange(db, row.id);
  return { id: row.id, tenant_id: row.tenantId, role: row.role, revoked_at: iso(row.revokedAt) };
}

/**
 * Issues a replacement with the same tenant, role and description, and makes the old token end after `grace`
 * (or sooner, if it already expires sooner), so clients can switch over without downtime.
 */
export async function rotateToken(
  db: DbExecutor,
  idOrToken: string,
  options: { grace: number; lifetime: TokenLifetime },
) {
  const { match, shown } = matchToken(idOrToken);
  // FOR UPDATE: two rotations of one token at once must not both issue a replacement.
  const [old] = await db.select().from(apiTokens).where(and(match, isLive())).for('update');
  if (!old) throw new AdminError(`no live token matches '${shown}' (unknown, revoked or expired)`);
  const replacement = await createToken(db, {
    tenantId: old.tenantId,
    role: old.role,
    description: old.description,
    lifetime: options.lifetime,
  });
  // least() skips a null (never) expiry, so a token that never expired now ends after the grace.
  const [ending] = await db
    .update(apiTokens)
    .set({ expiresAt: sql`least(${apiTokens.expiresAt}, ${expiryAfter(options.grace)})` })
    .where(eq(apiTokens.id, old.id))
    .returning({ id: apiTokens.id, expiresAt: apiTokens.expiresAt });
  await notifyTokenChange(db, old.id);
  return { ...replacement, replaces: { id: old.id, expires_at: iso(ending?.expiresAt ?? null) } };
}

/** `token list [--tenant ID]`: every token's metadata, oldest first. Never the token or its hash. */
export async function listTokens(db: DbExecutor, filter: { tenantId?: string }) {
  if (filter.tenantId !== undefined) {
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, filter.tenantId));
    if (!tenant) throw new AdminError(`no tenant with id '${filter.tenantId}'`);
  }
  const rows = await db
    .select({
      id: apiTokens.id,
      tenantId: apiTokens.tenantId,
      role: apiTokens.role,
      description: apiTokens.description,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      status: sql<'active' | 'expired' | 'revoked'>`case
        when ${apiTokens.revokedAt} is not null then 'revoked'
        when ${apiTokens.expiresAt} <= now() then 'expired'
        else 'active' end`,
    })
    .from(apiTokens)
    .where(filter.tenantId === undefined ? undefined : eq(apiTokens.tenantId, filter.tenantId))
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  return rows.map((row) => ({
    id: row.id,
    tenant_id: row.tenantId,
    role: row.role,
    description: row.description,
    status: row.status,
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
    revoked_at: iso(row.revokedAt),
    last_used_at: iso(row.lastUsedAt),
  }));
}
