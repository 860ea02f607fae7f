import {
  type Database,
  type ImageRow,
  type ImageStore,
  imageListQuery,
  isUuid,
  type Logger,
} from '@cloud-images/shared';
import type { Caller } from '../caller.js';
import {
  ForbiddenError,
  LimitExceededError,
  ResourceConflictError,
  ResourceNotFoundError,
} from '../domain-errors.js';
import { parseListRequest } from '../list-request.js';
import { IMAGE_LIMITS } from './image-limits.js';
import { listVisibleImages } from './image-list-repository.js';
import { applyImagePatch, type EditableImage, parsePatch } from './image-patch.js';
import { findReadableImage, markImageDeleted, type ReadableImage, updateImage } from './image-repository.js';
import { checkTag } from './image-tags.js';

export interface ImageServiceDeps {
  db: Database;
  store: ImageStore;
  logger: Logger;
}

function editable(image: ImageRow): EditableImage {
  return {
    name: image.name,
    tags: image.tags,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    visibility: image.visibility,
    protected: image.protected,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    properties: image.properties,
  };
}

export function createImageService(deps: ImageServiceDeps) {
  const notFound = (id: string) => new ResourceNotFoundError(`No image with id '${id}'.`);

  /** Unknown, malformed, deleted and other tenants' unshared ids are all the same 404. */
  async function readable(caller: Caller, id: string): Promise<ReadableImage> {
    const found = isUuid(id)
      ? await findReadableImage(deps.db, caller.tenantId, id.toLowerCase())
      : undefined;
    if (!found) throw notFound(id);
    return found;
  }

  /** The image, if the caller owns it; a member may see it but not change it (403). */
  async function owned(caller: Caller, id: string): Promise<ImageRow> {
    const found = await readable(caller, id);
    if (!found.isOwner)
      throw new ForbiddenError(`Only the owner of image '${found.image.id}' may change it.`);
    return found.image;
  }

  async function save(image: ImageRow, next: EditableImage): Promise<ImageRow> {
    const row = await updateImage(deps.db, image.id, {
      name: next.name,
      tags: next.tags,
      minDisk: next.min_disk,
      minRam: next.min_ram,
      visibility: next.visibility,
      protected: next.protected,
      properties: next.properties,
      diskFormat: next.disk_format,
      containerFormat: next.container_format,
    });
    if (!row) throw notFound(image.id);
    return row;
  }

  return {
    async getReadable(caller: Caller, id: string): Promise<ImageRow> {
      return (await readable(caller, id)).image;
    },

    readable,
    owned,

    /** One page of the caller's list; `params` are the query parameters, checked against the contract here. */
    async list(
      caller: Caller,
      params: Record<string, string>,
      tags: string[],
    ): Promise<{ images: ImageRow[]; limit: number }> {
      const query = await parseListRequest(imageListQuery, params, {
        noun: 'image',
        isVisible: async (id) => (await findReadableImage(deps.db, caller.tenantId, id)) !== undefined,
      });
      const images = await listVisibleImages(deps.db, {
        tenantId: caller.tenantId,
        sortKey: query.sort_key,
        sortDir: query.sort_dir,
        limit: query.limit,
        memberStatus: query.member_status,
        tags,
        ...(query.marker ? { marker: query.marker } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.name !== undefined ? { name: query.name } : {}),
        ...(query.owner !== undefined ? { owner: query.owner } : {}),
        ...(query.visibility ? { visibility: query.visibility } : {}),
        ...(query.size_min !== undefined ? { sizeMin: query.size_min } : {}),
        ...(query.size_max !== undefined ? { sizeMax: query.size_max } : {}),
      });
      return { images, limit: query.limit };
    },

    /** PATCH: all the operations apply, or none (the whole patch is checked before one row is written). */
    async patch(caller: Caller, id: string, body: unknown, mediaType: string): Promise<ImageRow> {
      const ops = parsePatch(body, mediaType);
      const image = await owned(caller, id);
      return save(image, applyImagePatch(editable(image), ops, image.status === 'active'));
    },

    async addTag(caller: Caller, id: string, tag: string): Promise<void> {
      const image = await owned(caller, id);
      checkTag(tag);
      if (image.tags.includes(tag)) return;
      if (image.tags.length >= IMAGE_LIMITS.tags) {
        throw new LimitExceededError(`An image may have at most ${IMAGE_LIMITS.tags} tags.`);
      }
      await save(image, { ...editable(image), tags: [...image.tags, tag] });
    },

    async deleteTag(caller: Caller, id: string, tag: string): Promise<void> {
      const image = await owned(caller, id);
      if (!image.tags.includes(tag))
        throw new ResourceNotFoundError(`Image '${image.id}' has no tag '${tag}'.`);
      await save(image, { ...editable(image), tags: image.tags.filter((t) => t !== tag) });
    },

    /**
     * Owner only. A protected image is 403; an image whose import is still running (queued or saving) is 409, so no
     * import ever writes under a deleted row. The row is marked deleted first (it disappears for the client at
     * once), then the object is removed; a failed removal is left to the orphan sweep.
     */
    async delete(caller: Caller, id: string): Promise<void> {
      const image = await owned(caller, id);
      if (image.protected)
        throw new ForbiddenError(`Image '${image.id}' is protected and cannot be deleted.`);
      if (image.status === 'queued' || image.status === 'saving') {
        throw new ResourceConflictError(
          `Image '${image.id}' is still being imported (status ${image.status}); delete it once its import task has finished.`,
        );
      }
      const deleted = await markImageDeleted(deps.db, image.id);
      if (!deleted)
        throw new ResourceConflictError(`Image '${image.id}' changed while being deleted; retry.`);
      if (!deleted.storageKey) return;
      await deps.store.objects.remove(deps.store.bucket, deleted.storageKey).catch((error: unknown) => {
        deps.logger.warn(
          { err: error, imageId: deleted.id, key: deleted.storageKey },
          'image object not removed',
        );
      });
    },
  };
}

export type ImageService = ReturnType<typeof createImageService>;
