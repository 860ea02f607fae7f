import { pipeline } from 'node:stream/promises';
import { type ImageStore, undefinedIfNotFound } from '@cloud-images/shared';
import { Router } from 'express';
import { callerOf, requireWriteRole } from '../http/auth.js';
import { NotFound } from '../http/errors.js';
import { pageLinks, singleQueryParams } from '../http/list-query.js';
import { resource } from '../http/resource-routes.js';
import type { ImageService } from './image-service.js';
import { imageView } from './image-view.js';

export function imageRoutes(service: ImageService, store: ImageStore): Router {
  const router = Router();

  resource(router, '/v2/images', {
    get: [
      async (req, res) => {
        const params = singleQueryParams(req.query as Record<string, unknown>);
        const { images, limit } = await service.list(callerOf(res), params);
        res.json({
          images: images.map(imageView),
          ...pageLinks('/v2/images', params, images, limit),
          schema: '/v2/schemas/images',
        });
      },
    ],
  });

  resource(router, '/v2/images/:id', {
    get: [
      async (req, res) => {
        res.json(imageView(await service.get(callerOf(res), String(req.params.id))));
      },
    ],
    delete: [
      requireWriteRole,
      async (req, res) => {
        await service.delete(callerOf(res), String(req.params.id));
        res.status(204).end();
      },
    ],
  });

  resource(router, '/v2/images/:id/file', {
    get: [
      async (req, res) => {
        const image = await service.get(callerOf(res), String(req.params.id));
        // Glance answers 204 for an image that has no data (yet).
        if (image.status !== 'active' || !image.storageKey) {
          res.status(204).end();
          return;
        }
        const body = await undefinedIfNotFound(store.objects.getStream(store.bucket, image.storageKey));
        if (!body) throw new NotFound(`The data of image '${image.id}' is missing from the image store.`);
        res.status(200).set('Content-Type', 'application/octet-stream');
        if (image.size !== null) res.set('Content-Length', String(image.size));
        // glanceclient compares this (hex MD5, as Glance sends it) with the bytes it received.
        if (image.checksum) res.set('Content-MD5', image.checksum);
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
