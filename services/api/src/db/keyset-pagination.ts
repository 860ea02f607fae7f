import type { SortDir } from '@cloud-images/shared';
import { type AnyColumn, asc, desc, type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * Keyset pagination on (sort expression, id): rows strictly after the marker row in the chosen order.
 * The marker's values come from a subquery, so timestamps compare at full database precision.
 */
export function afterMarker(
  sortExpr: SQLWrapper,
  idColumn: AnyColumn,
  dir: SortDir,
  markerRow: SQLWrapper,
): SQL {
  return dir === 'asc'
    ? sql`(${sortExpr}, ${idColumn}) > (${markerRow})`
    : sql`(${sortExpr}, ${idColumn}) < (${markerRow})`;
}

/** ORDER BY that matches `afterMarker`: the id breaks ties in the same direction. */
export function keysetOrder(sortExpr: SQLWrapper, idColumn: AnyColumn, dir: SortDir): SQL[] {
  const by = dir === 'asc' ? asc : desc;
  return [by(sortExpr as AnyColumn), by(idColumn)];
}
