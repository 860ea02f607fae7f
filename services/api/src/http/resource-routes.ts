import type { RequestHandler, Router } from 'express';
import { MethodNotAllowed } from './errors.js';

type Method = 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
export type MethodHandlers = Partial<Record<Method, RequestHandler[]>>;

/**
 * Registers one path's handlers, then a catch-all that answers every other method with 405 and an `Allow`
 * header listing exactly the registered ones. HEAD rides along with GET, as Express serves it, unless a path
 * registers its own (then it is registered first, so Express picks it over GET's).
 */
export function resource(router: Router, path: string, handlers: MethodHandlers): void {
  const allowed: string[] = [];
  if (handlers.head) router.head(path, ...handlers.head);
  for (const [method, chain] of Object.entries(handlers) as [Method, RequestHandler[]][]) {
    if (method === 'head') continue;
    router[method](path, ...chain);
    allowed.push(method.toUpperCase());
  }
  router.all(path, (req) => {
    throw new MethodNotAllowed(req.method, req.path, allowed);
  });
}
