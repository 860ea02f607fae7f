import { type Database, tasks } from '@cloud-images/shared';
import { lte } from 'drizzle-orm';

/**
 * Deletes tasks whose `expires_at` has passed (their outbox rows go with them by cascade). The API already hides
 * them from that instant; this only reclaims the rows. The task's result (image, exported object) stays.
 */
export async function purgeExpiredTasks(db: Database, now: Date): Promise<number> {
  const deleted = await db.delete(tasks).where(lte(tasks.expiresAt, now)).returning({ id: tasks.id });
  return deleted.length;
}
