import {
  type Database,
  type IMAGE_SORT_KEYS,
  type ImageRow,
  type ImageStatus,
  imageMembers,
  images,
  type SortDir,
} from '@cloud-images/shared';
import { and, eq, gte, lte, or, type SQL, sql } from 'drizzle-orm';
import { afterMarker, keysetOrder } from '../db/keyset-pagination.js';
import { imageIsVisible } from './image-repository.js';

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
  name?: string;
  owner?: string;
  tags: string[];
  sizeMin?: number;
  sizeMax?: number;
  visibility?: 'private' | 'shared';
  /** Which shared images of others to include; Glance's default is `accepted`. */
  memberStatus: 'pending' | 'accepted' | 'rejected' | 'all';
  sortKey: ImageSortKey;
  sortDir: SortDir;
  limit: number;
  marker?: string;
}

/**
 * Which images a caller's list holds, as in Glance: its own images (unless `member_status` asks for a status other
 * than the default, in which case only shared ones) plus images shared with it whose member status matches.
 */
function visibleTo(query: ImageListQuery): SQL {
  const membership = sql`exists (${sql`select 1 from ${imageMembers} where ${imageMembers.imageId} = ${images.id} and ${imageMembers.memberId} = ${query.tenantId}${
    query.memberStatus === 'all' ? sql`` : sql` and ${imageMembers.status} = ${query.memberStatus}`
  }`})`;
  const shared = and(eq(images.visibility, 'shared'), membership) as SQL;
  const own = eq(images.tenantId, query.tenantId);
  return or(own, shared) as SQL;
}

export async function listVisibleImages(db: Database, query: ImageListQuery): Promise<ImageRow[]> {
  const sortExpr = sortExpressions[query.sortKey];
  const conditions: (SQL | undefined)[] = [visibleTo(query), imageIsVisible];
  if (query.status) conditions.push(eq(images.status, query.status));
  if (query.name !== undefined) conditions.push(eq(images.name, query.name));
  if (query.owner !== undefined) conditions.push(eq(images.tenantId, query.owner));
  if (query.visibility) conditions.push(eq(images.visibility, query.visibility));
  if (query.sizeMin !== undefined) conditions.push(gte(images.size, query.sizeMin));
  if (query.sizeMax !== undefined) conditions.push(lte(images.size, query.sizeMax));
  // Repeated `tag` means AND: the image must carry every one.
  if (query.tags.length > 0) conditions.push(sql`${images.tags} @> ${sql.param(query.tags)}::text[]`);
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
