import { BadRequest } from './errors.js';

/**
 * The query string as one string per parameter. A repeated parameter is a 400 here, at the HTTP edge, so the
 * contract's list-query schemas only ever see single values.
 */
export function singleQueryParams(query: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw new BadRequest(`Query parameter '${name}' must be given once.`);
    params[name] = value;
  }
  return params;
}

/**
 * Glance-style links: `first` repeats the client's query without a marker; `next` adds the last item's id,
 * and is present only after a full page.
 */
export function pageLinks(
  path: string,
  params: Record<string, string>,
  items: { id: string }[],
  limit: number,
): { first: string; next?: string } {
  const linkParams = Object.entries(params).filter(([name]) => name !== 'marker');
  const query = new URLSearchParams(linkParams).toString();
  const first = query ? `${path}?${query}` : path;
  const last = items.at(-1);
  if (items.length < limit || !last) return { first };
  const next = new URLSearchParams([...linkParams, ['marker', last.id]]).toString();
  return { first, next: `${path}?${next}` };
}
