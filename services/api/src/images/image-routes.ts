import { Router } from 'express';
import { callerOf, requireWriteRole } from '../http/auth.js';
import { jsonBody } from '../http/json-body.js';
import { pageLinks, singleQueryParams } from '../http/list-query.js';
import { resource } from '../http/resource-routes.js';
import { PATCH_MEDIA_TYPES } from './image-patch.js';
import type { ImageService } from './image-service.js';
import { imageView } from './image-view.js';

/** `tag` is the one repeatable list parameter (repeated means AND); every other one must be given once. */
function splitTags(query: Record<string, unknown>): { params: Record<string, string>; tags: string[] } {
  const { tag, ...rest } = query;
  const tags = tag === undefined ? [] : (Array.isArray(tag) ? tag : [tag]).map(String);
  return { params: singleQueryParams(rest), tags };
}

export function imageRoutes(service: ImageService, bodyLimitBytes: number): Router {
  const router = Router();

  resource(router, '/v2/images', {
    get: [
      async (req, res) => {
        const { params, tags } = splitTags(req.query as Record<string, unknown>);
        const { images, limit } = await service.list(callerOf(res), params, tags);
        const linkParams = { ...params, ...(tags.length > 0 ? { tag: tags[0] as string } : {}) };
        res.json({
          images: images.map(imageView),
          ...pageLinks('/v2/images', linkParams, images, limit),
          schema: '/v2/schemas/images',
        });
      },
    ],
  });

  resource(router, '/v2/images/:id', {
    get: [
      async (req, res) => {
        res.json(imageView(await service.getReadable(callerOf(res), String(req.params.id))));
      },
    ],
    patch: [
      requireWriteRole,
      jsonBody(bodyLimitBytes, Object.values(PATCH_MEDIA_TYPES)),
      async (req, res) => {
        const mediaType = req.is(Object.values(PATCH_MEDIA_TYPES)) || PATCH_MEDIA_TYPES.v21;
        const image = await service.patch(callerOf(res), String(req.params.id), req.body, mediaType);
        res.json(imageView(image));
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

  resource(router, '/v2/images/:id/tags/:tag', {
    put: [
      requireWriteRole,
      async (req, res) => {
        await service.addTag(callerOf(res), String(req.params.id), String(req.params.tag));
        res.status(204).end();
      },
    ],
    delete: [
      requireWriteRole,
      async (req, res) => {
        await service.deleteTag(callerOf(res), String(req.params.id), String(req.params.tag));
        res.status(204).end();
      },
    ],
  });

  return router;
}
