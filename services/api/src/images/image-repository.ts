import { type Database, type ImageRow, imageMembers, images, type MemberStatus } from '@cloud-images/shared';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';

/** Deleted images are gone for clients; the row stays as a tombstone for operators. */
export const imageIsVisible = ne(images.status, 'deleted');

/** An image as one caller sees it: its owner, or a member with that member's status. */
export interface ReadableImage {
  image: ImageRow;
  isOwner: boolean;
  memberStatus: MemberStatus | undefined;
}

/**
 * The image if the caller owns it or is one of its members (whatever its member status: a member may read what
 * it was offered before accepting, as in Glance). Anything else is undefined.
 */
export async function findReadableImage(
  db: Database,
  tenantId: string,
  id: string,
): Promise<ReadableImage | undefined> {
  const [row] = await db
    .select({ image: images, memberStatus: imageMembers.status })
    .from(images)
    .leftJoin(imageMembers, and(eq(imageMembers.imageId, images.id), eq(imageMembers.memberId, tenantId)))
    .where(and(eq(images.id, id), imageIsVisible));
  if (!row) return undefined;
  const isOwner = row.image.tenantId === tenantId;
  // Members of a private image keep their rows (see the README) but see nothing until it is shared again.
  const isMember = row.memberStatus !== null && row.image.visibility === 'shared';
  if (!isOwner && !isMember) return undefined;
  return { image: row.image, isOwner, memberStatus: row.memberStatus ?? undefined };
}

export type ImageChanges = Partial<
  Pick<
    ImageRow,
    | 'name'
    | 'tags'
    | 'minDisk'
    | 'minRam'
    | 'visibility'
    | 'protected'
    | 'properties'
    | 'diskFormat'
    | 'containerFormat'
  >
>;

export async function updateImage(
  db: Database,
  id: string,
  changes: ImageChanges,
): Promise<ImageRow | undefined> {
  const [row] = await db
    .update(images)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(and(eq(images.id, id), imageIsVisible))
    .returning();
  return row;
}

/**
 * Marks the image deleted and removes its members, in one transaction, only from a state with no import running
 * (active or killed). Returns the row as it was, or undefined if it had moved on.
 */
export async function markImageDeleted(db: Database, id: string): Promise<ImageRow | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(images)
      .set({ status: 'deleted', updatedAt: sql`now()` })
      .where(
        and(eq(images.id, id), inArray(images.status, ['active', 'killed']), eq(images.protected, false)),
      )
      .returning();
    if (row) await tx.delete(imageMembers).where(eq(imageMembers.imageId, id));
    return row;
  });
}
