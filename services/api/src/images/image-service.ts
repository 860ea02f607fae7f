import {
  type Database,
  type ImageRow,
  type ImageStore,
  imageListQuery,
  isUuid,
  type Logger,
} from '@cloud-images/shared';
import type { Caller } from '../caller.js';
import { ResourceNotFoundError } from '../domain-errors.js';
import { parseListRequest } from '../list-request.js';
import { findVisibleImage, listVisibleImages, markImageDeleted } from './image-repository.js';

export interface ImageServiceDeps {
  db: Database;
  store: ImageStore;
  logger: Logger;
}

export function createImageService(deps: ImageServiceDeps) {
  const notFound = (id: string) => new ResourceNotFoundError(`No image with id '${id}'.`);
  return {
    /** Unknown, malformed, deleted and other tenants' ids are all the same 404. */
    async get(caller: Caller, id: string): Promise<ImageRow> {
      const image = isUuid(id)
        ? await findVisibleImage(deps.db, caller.tenantId, id.toLowerCase())
        : undefined;
      if (!image) throw notFound(id);
      return image;
    },

    /** One page of the caller's images; `params` are the query parameters, checked against the contract here. */
    async list(
      caller: Caller,
      params: Record<string, string>,
    ): Promise<{ images: ImageRow[]; limit: number }> {
      const query = await parseListRequest(imageListQuery, params, {
        noun: 'image',
        isVisible: async (id) => (await findVisibleImage(deps.db, caller.tenantId, id)) !== undefined,
      });
      const images = await listVisibleImages(deps.db, {
        tenantId: caller.tenantId,
        sortKey: query.sort_key,
        sortDir: query.sort_dir,
        limit: query.limit,
        ...(query.marker ? { marker: query.marker } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
      return { images, limit: query.limit };
    },

    /**
     * Marks the image deleted first (it disappears for the client at once), then removes the stored object.
     * A failed removal leaves an orphan object, logged for operators, rather than a visible half-deleted image.
     */
    async delete(caller: Caller, id: string): Promise<void> {
      const image = isUuid(id)
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
