import type { ImageRow } from '@cloud-images/shared';
import { formatTimestamp } from '../http/timestamps.js';

export const imagePath = (id: string) => `/v2/images/${id}`;

/**
 * The Glance v2 image resource; every core field here is declared in /v2/schemas/image, and custom properties
 * (strings, as the schema's additionalProperties says) sit beside them at the top level, as in Glance.
 */
export function imageView(row: ImageRow) {
  return {
    ...row.properties,
    id: row.id,
    name: row.name,
    status: row.status,
    visibility: row.visibility,
    protected: row.protected,
    tags: row.tags,
    owner: row.tenantId,
    size: row.size,
    virtual_size: row.virtualSize,
    checksum: row.checksum,
    os_hash_algo: row.osHashAlgo,
    os_hash_value: row.osHashValue,
    disk_format: row.diskFormat,
    container_format: row.containerFormat,
    min_disk: row.minDisk,
    min_ram: row.minRam,
    created_at: formatTimestamp(row.createdAt),
    updated_at: formatTimestamp(row.updatedAt),
    file: `${imagePath(row.id)}/file`,
    self: imagePath(row.id),
    schema: '/v2/schemas/image',
  };
}

export type ImageView = ReturnType<typeof imageView>;
