import type { Database, ImageRow, ImageStatus, ImageStore, Logger } from '@cloud-images/shared';
import type { Caller } from '../http/auth.js';
import { BadRequest, NotFound } from '../http/errors.js';
import { type ListQuery, parseListQuery } from '../http/list-query.js';
import {
  findVisibleImage,
  IMAGE_SORT_KEYS,
  type ImageSortKey,
  listVisibleImages,
  markImageDeleted,
} from './image-repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const imageListSpec = {
  sortKeys: IMAGE_SORT_KEYS,
  defaultSortKey: 'created_at' as ImageSortKey,
  filters: { status: ['queued', 'saving', 'active', 'killed'] },
  limitAboveMax: 'clamp',
} as const;

export interface ImageServiceDeps {
  db: Database;
  store: ImageStore;
  logger: Logger;
}

export function createImageService(deps: ImageServiceDeps) {
  const notFound = (id: string) => new NotFound(`No image with id '${id}'.`);
  return {
    /** Unknown, malformed, deleted and other tenants' ids are all the same 404. */
    async get(caller: Caller, id: string): Promise<ImageRow> {
      const image = UUID.test(id)
        ? await findVisibleImage(deps.db, caller.tenantId, id.toLowerCase())
        : undefined;
      if (!image) throw notFound(id);
      return image;
    },

    async list(
      caller: Caller,
      rawQuery: Record<string, unknown>,
    ): Promise<{ images: ImageRow[]; query: ListQuery<ImageSortKey, 'status'> }> {
      const query = parseListQuery(rawQuery, imageListSpec);
      if (query.marker && !(await findVisibleImage(deps.db, caller.tenantId, query.marker))) {
        throw new BadRequest(`Invalid marker '${query.marker}': no such image in this list.`);
      }
      const images = await listVisibleImages(deps.db, {
        tenantId: caller.tenantId,
        sortKey: query.sortKey,
        sortDir: query.sortDir,
        limit: query.limit,
        ...(query.marker ? { marker: query.marker } : {}),
        ...(query.filters.status ? { status: query.filters.status as ImageStatus } : {}),
      });
      return { images, query };
    },

    /**
     * Marks the image deleted first (it disappears for the client at once), then removes the stored object.
     * A failed removal leaves an orphan object, logged for operators, rather than a visible half-deleted image.
     */
    async delete(caller: Caller, id: string): Promise<void> {
      const image = UUID.test(id)
        ? await markImageDeleted(deps.db, caller.tenantId, id.toLowerCase())
        : undefined;
      if (!image) throw notFound(id);
      if (!image.storageKey) return;
      await deps.store.objects.remove(deps.store.bucket, image.storageKey).catch((error: unknown) => {
        deps.logger.warn(
          { err: error, imageId: image.id, key: image.storageKey },
          'image object not removed',
        );
      });
    },
  };
}

export type ImageService = ReturnType<typeof createImageService>;
