import { pipeline } from 'node:stream/promises';
import { type ImageRow, type ImageStore, undefinedIfNotFound } from '@cloud-images/shared';
import { type Request, type Response, Router } from 'express';
import { callerOf } from '../http/auth.js';
import { NotFound, RangeNotSatisfiable } from '../http/errors.js';
import { resource } from '../http/resource-routes.js';
import type { ImageService } from './image-service.js';

/** Headers every answer with an image's data carries. */
function setDataHeaders(res: Response): void {
  res.set('Content-Type', 'application/octet-stream').set('Accept-Ranges', 'bytes');
}

/**
 * The single byte range a request asks for, or undefined to serve the whole object. A malformed header, or
 * several ranges, is served whole (RFC 9110 lets a server ignore Range); a range past the end is a 416.
 */
function requestedRange(req: Request, size: number): { start: number; end: number } | undefined {
  if (!req.get('range')) return undefined;
  const ranges = req.range(size);
  if (ranges === -1) {
    throw new RangeNotSatisfiable(`The requested range is outside the image's ${size} bytes.`, size);
  }
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1)
    return undefined;
  const [range] = ranges;
  return range ? { start: range.start, end: range.end } : undefined;
}

/**
 * GET/HEAD /v2/images/{id}/file. HEAD answers from the row without touching the object store. GET streams the
 * object, or one byte range of it (206) without the whole image's Content-MD5, which a client would check
 * against the part.
 */
export function imageDownloadRoutes(service: ImageService, store: ImageStore): Router {
  const router = Router();
  const hasData = (image: ImageRow) => image.status === 'active' && image.storageKey !== null;

  resource(router, '/v2/images/:id/file', {
    head: [
      async (req, res) => {
        const image = await service.getReadable(callerOf(res), String(req.params.id));
        // Glance answers 204 for an image that has no data (yet).
        if (!hasData(image)) {
          res.status(204).end();
          return;
        }
        setDataHeaders(res);
        if (image.size !== null) res.set('Content-Length', String(image.size));
        if (image.checksum) res.set('Content-MD5', image.checksum);
        res.status(200).end();
      },
    ],
    get: [
      async (req, res) => {
        const image = await service.getReadable(callerOf(res), String(req.params.id));
        if (!hasData(image) || !image.storageKey) {
          res.status(204).end();
          return;
        }
        const range = image.size === null ? undefined : requestedRange(req, image.size);
        const body = await undefinedIfNotFound(
          range
            ? store.objects.getRangeStream(store.bucket, image.storageKey, range.start, range.end + 1)
            : store.objects.getStream(store.bucket, image.storageKey),
        );
        if (!body) throw new NotFound(`The data of image '${image.id}' is missing from the image store.`);
        setDataHeaders(res);
        if (range) {
          res
            .status(206)
            .set('Content-Range', `bytes ${range.start}-${range.end}/${image.size}`)
            .set('Content-Length', String(range.end - range.start + 1));
        } else {
          res.status(200);
          if (image.size !== null) res.set('Content-Length', String(image.size));
          // glanceclient compares this (hex MD5, as Glance sends it) with the bytes it received.
          if (image.checksum) res.set('Content-MD5', image.checksum);
        }
        try {
          await pipeline(body, res);
        } catch (error) {
          // A client that hangs up mid-download is not a server error.
          if (!req.destroyed && !res.destroyed) throw error;
        }
      },
    ],
  });

  return router;
}
