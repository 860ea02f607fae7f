import type { Logger } from '@cloud-images/shared';
import type { RequestHandler } from 'express';

/**
 * One line per request, written when its response closes: `request completed`, `request errored` (error level)
 * for a 5xx, or `request aborted` when the client went away first. It names the request, never its headers (so no token can reach it). pino-http, which
 * this replaces, built and serialised a child logger for every request on top of the line itself.
 */
export function requestLog(logger: Logger): RequestHandler {
  let lastId = 0;
  return (req, res, next) => {
    const id = ++lastId;
    const started = performance.now();
    res.once('close', () => {
      const line = {
        req: { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      // The messages and levels pino-http used, so log queries and alerts keep matching.
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    next();
  };
}
