import { AsyncLocalStorage } from 'node:async_hooks';
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { ObjectStoreTimeoutError, toObjectStoreError } from './object-store-errors.js';
import { countObjectStoreRequest } from './request-counts.js';

/** The HTTP requests a call under `withDeadline` has sent so far, so that a missed deadline can destroy them. */
const callRequests = new AsyncLocalStorage<Set<ClientRequest>>();

/**
 * A minio `transport` (http or https) that records each request it sends in the current call's set. minio gives
 * no handle on its requests; this is how a deadline reaches them, so a timed-out call leaves no socket behind.
 */
export function createTrackingTransport(protocol: 'http:' | 'https:'): Pick<typeof http, 'request'> {
  const base = protocol === 'https:' ? https : http;
  const request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    // minio always calls request(options, callback).
    const req = base.request(options, callback);
    countObjectStoreRequest(options);
    callRequests.getStore()?.add(req);
    return req;
  };
  return { request: request as typeof http.request };
}

/**
 * Runs one call with a deadline: past `ms` it fails with ObjectStoreTimeoutError and its requests are destroyed.
 * Errors are mapped to the typed ones. For a streaming call `work` should resolve once the response has started;
 * the body is then bounded by the socket idle timeout.
 */
export function withDeadline<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  const requests = new Set<ClientRequest>();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new ObjectStoreTimeoutError(`S3 ${what}: no answer within ${ms} ms`);
      for (const req of requests) req.destroy(error);
      reject(error);
    }, ms);
    callRequests
      .run(requests, work)
      .then(resolve, (error: unknown) => reject(toObjectStoreError(error)))
      .finally(() => clearTimeout(timer));
  });
}
