import { type DbExecutor, isUuid } from '@cloud-images/shared';
import { sql } from 'drizzle-orm';

/**
 * NOTIFY channel on which the admin CLI names (by id, never by token or hash) a token it revoked or whose expiry
 * it moved, so every API process drops it from its token cache at the commit instead of up to a TTL later.
 */
export const TOKEN_CHANGES_CHANNEL = 'cloud_images_token_changes';

/** Sent inside the mutation's transaction: Postgres delivers it only if, and when, the change commits. */
export async function notifyTokenChange(db: DbExecutor, tokenId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${TOKEN_CHANGES_CHANNEL}, ${tokenId})`);
}

/** A notification's payload as a token id; anything else (a catch-up call, a stray payload) means "all". */
export function changedTokenId(payload: string | undefined): string | undefined {
  return payload !== undefined && isUuid(payload) ? payload : undefined;
}
