import { BadRequest } from './errors.js';

export type SortDir = 'asc' | 'desc';

export interface ListQuerySpec<SortKey extends string, Filters extends Record<string, readonly string[]>> {
  sortKeys: readonly SortKey[];
  defaultSortKey: SortKey;
  filters: Filters;
  /**
   * What a `limit` above the maximum gets: a 400 (the task contract), or the maximum, as Glance does for images
   * (glanceclient's image-list always asks for limit=200).
   */
  limitAboveMax?: 'reject' | 'clamp';
}

export interface ListQuery<SortKey extends string, FilterName extends string> {
  limit: number;
  marker: string | undefined;
  sortKey: SortKey;
  sortDir: SortDir;
  filters: Partial<Record<FilterName, string>>;
  /** The parameters as the client gave them, minus `marker`: the base of the `first` and `next` links. */
  linkParams: [string, string][];
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function oneOf(name: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw new BadRequest(
      `Invalid ${name} '${value}'; expected one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
    );
  }
  return value;
}

/**
 * Parses `limit`, `marker`, `sort_key`, `sort_dir` and the resource's filters. Unknown or repeated parameters
 * and invalid values are 400s that name the parameter, so a typo never silently returns the wrong page.
 */
export function parseListQuery<SortKey extends string, Filters extends Record<string, readonly string[]>>(
  query: Record<string, unknown>,
  spec: ListQuerySpec<SortKey, Filters>,
): ListQuery<SortKey, keyof Filters & string> {
  const known = ['limit', 'marker', 'sort_key', 'sort_dir', ...Object.keys(spec.filters)];
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!known.includes(name)) throw new BadRequest(`Unknown query parameter '${name}'.`);
    if (typeof value !== 'string') throw new BadRequest(`Query parameter '${name}' must be given once.`);
    params[name] = value;
  }
  let limit = DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    limit = /^\d{1,9}$/.test(params.limit) ? Number(params.limit) : Number.NaN;
    if (spec.limitAboveMax === 'clamp' && limit > MAX_LIMIT) limit = MAX_LIMIT;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw new BadRequest(`Invalid limit '${params.limit}'; expected an integer from 1 to ${MAX_LIMIT}.`);
    }
  }
  if (params.marker !== undefined && !UUID.test(params.marker)) {
    throw new BadRequest(
      `Invalid marker '${params.marker}'; expected the id (a UUID) of an item in the list.`,
    );
  }
  const sortKey = oneOf('sort_key', params.sort_key ?? spec.defaultSortKey, spec.sortKeys) as SortKey;
  const sortDir = oneOf('sort_dir', params.sort_dir ?? 'desc', ['asc', 'desc']) as SortDir;
  const filters: Partial<Record<keyof Filters & string, string>> = {};
  for (const [name, allowed] of Object.entries(spec.filters)) {
    const value = params[name];
    if (value !== undefined) filters[name as keyof Filters & string] = oneOf(name, value, allowed);
  }
  const linkParams = Object.entries(params).filter(([name]) => name !== 'marker');
  return { limit, marker: params.marker?.toLowerCase(), sortKey, sortDir, filters, linkParams };
}

/** Glance-style links: `first` repeats the query without a marker; `next` adds the last item's id. */
export function pageLinks(
  path: string,
  linkParams: [string, string][],
  items: { id: string }[],
  limit: number,
): { first: string; next?: string } {
  const query = new URLSearchParams(linkParams).toString();
  const first = query ? `${path}?${query}` : path;
  const last = items.at(-1);
  if (items.length < limit || !last) return { first };
  const next = new URLSearchParams([...linkParams, ['marker', last.id]]).toString();
  return { first, next: `${path}?${next}` };
}
