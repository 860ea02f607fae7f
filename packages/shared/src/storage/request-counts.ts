import type { RequestOptions } from 'node:http';

/**
 * Every S3 request this process made, by kind: the worker exposes them in /metrics
 * (cloud_images_worker_s3_requests_total) so the cost of a task in round trips can be measured. The kinds are
 * a fixed set (never a bucket or key), so the label stays bounded.
 */
const counts = new Map<string, number>();

export function countObjectStoreRequest(options: RequestOptions): void {
  const kind = objectStoreRequestKind(options);
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

/** A snapshot of the counts so far, by kind. */
export function objectStoreRequestCounts(): ReadonlyMap<string, number> {
  return new Map(counts);
}

/** e.g. `GET range`, `PUT part`, `POST initiate-multipart`, `GET list-uploads`, `HEAD object`. */
export function objectStoreRequestKind(options: RequestOptions): string {
  const method = (options.method ?? 'GET').toUpperCase();
  const [path = '', query = ''] = String(options.path ?? '').split('?', 2);
  const params = new URLSearchParams(query);
  const headers = (options.headers ?? {}) as Record<string, unknown>;
  const hasRange = Object.keys(headers).some((h) => h.toLowerCase() === 'range');
  const isBucket = path.split('/').filter(Boolean).length <= 1;
  if (params.has('uploads')) return method === 'POST' ? 'POST initiate-multipart' : `${method} list-uploads`;
  if (params.has('uploadId')) {
    if (method === 'PUT') return 'PUT part';
    if (method === 'POST') return 'POST complete-multipart';
    if (method === 'DELETE') return 'DELETE abort-multipart';
    return `${method} list-parts`;
  }
  if (params.has('location')) return `${method} bucket-location`;
  if (isBucket) return method === 'GET' ? 'GET list-objects' : `${method} bucket`;
  if (method === 'GET') return hasRange ? 'GET range' : 'GET object';
  if (['HEAD', 'PUT', 'DELETE'].includes(method)) return `${method} object`;
  return `${method} other`;
}
