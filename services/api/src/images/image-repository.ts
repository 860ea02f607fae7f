import {
  type Database,
  type IMAGE_SORT_KEYS,
  type ImageRow,
  type ImageStatus,
  images,
  type SortDir,
} from '@cloud-images/shared';
import { and, eq, ne, type SQL, sql } from 'drizzle-orm';
import { afterMarker, keysetOrder } from '../db/keyset-pagination.js';

/** Deleted images are gone for clients; the row stays as a tombstone for operators. */
const imageIsVisible = ne(images.status, 'deleted');

export async function findVisibleImage(
  db: Database,
  tenantId: string,
  id: string,
): Promise<ImageRow | undefined> {
  const [row] = await db
    .select()
    .from(images)
    .where(and(eq(images.id, id), eq(images.tenantId, tenantId), imageIsVisible));
  return row;
}

/** Marks the image deleted and returns the row as it was, or undefined if the caller has no such image. */
export async function markImageDeleted(
  db: Database,
  tenantId: string,
  id: string,
): Promise<ImageRow | undefined> {
  const [row] = await db
    .update(images)
    .set({ status: 'deleted', updatedAt: sql`now()` })
    .where(and(eq(images.id, id), eq(images.tenantId, tenantId), imageIsVisible))
    .returning();
  return row;
}

export type ImageSortKey = (typeof IMAGE_SORT_KEYS)[number];

// Nullable columns sort through coalesce so the keyset comparison never meets a NULL.
const sortExpressions: Record<ImageSortKey, SQL> = {
  created_at: sql`${images.createdAt}`,
  updated_at: sql`${images.updatedAt}`,
  name: sql`coalesce(${images.name}, '')`,
  id: sql`${images.id}`,
  status: sql`${images.status}`,
  size: sql`coalesce(${images.size}, -1)`,
};

export interface ImageListQuery {
  tenantId: string;
  status?: ImageStatus;
  sortKey: ImageSortKey;
  sortDir: SortDir;
  limit: number;
  marker?: string;
}

export async function listVisibleImages(db: Database, query: ImageListQuery): Promise<ImageRow[]> {
  const sortExpr = sortExpressions[query.sortKey];
  const conditions: SQL[] = [eq(images.tenantId, query.tenantId), imageIsVisible];
  if (query.status) conditions.push(eq(images.status, query.status));
  if (query.marker) {
    const markerRow = sql`select ${sortExpr}, ${images.id} from ${images} where ${images.id} = ${query.marker}`;
    conditions.push(afterMarker(sortExpr, images.id, query.sortDir, markerRow));
  }
  return db
    .select()
    .from(images)
    .where(and(...conditions))
    .orderBy(...keysetOrder(sortExpr, images.id, query.sortDir))
    .limit(query.limit);
}
