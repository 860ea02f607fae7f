import { type Database, type ImageMemberRow, imageMembers, type MemberStatus } from '@cloud-images/shared';
import { and, asc, count, eq, sql } from 'drizzle-orm';

export async function listMembers(db: Database, imageId: string): Promise<ImageMemberRow[]> {
  return db
    .select()
    .from(imageMembers)
    .where(eq(imageMembers.imageId, imageId))
    .orderBy(asc(imageMembers.createdAt));
}

export async function findMember(
  db: Database,
  imageId: string,
  memberId: string,
): Promise<ImageMemberRow | undefined> {
  const [row] = await db
    .select()
    .from(imageMembers)
    .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.memberId, memberId)));
  return row;
}

export async function countMembers(db: Database, imageId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(imageMembers).where(eq(imageMembers.imageId, imageId));
  return row?.n ?? 0;
}

/** Inserts a pending member; undefined when the tenant already is one. */
export async function insertMember(
  db: Database,
  imageId: string,
  memberId: string,
): Promise<ImageMemberRow | undefined> {
  const [row] = await db.insert(imageMembers).values({ imageId, memberId }).onConflictDoNothing().returning();
  return row;
}

export async function setMemberStatus(
  db: Database,
  imageId: string,
  memberId: string,
  status: MemberStatus,
): Promise<ImageMemberRow | undefined> {
  const [row] = await db
    .update(imageMembers)
    .set({ status, updatedAt: sql`now()` })
    .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.memberId, memberId)))
    .returning();
  return row;
}

export async function deleteMember(db: Database, imageId: string, memberId: string): Promise<boolean> {
  const rows = await db
    .delete(imageMembers)
    .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.memberId, memberId)))
    .returning({ id: imageMembers.memberId });
  return rows.length === 1;
}
