import type { ImageMemberRow } from '@cloud-images/shared';
import { formatTimestamp } from '../http/timestamps.js';

/** Glance's image member resource (declared in /v2/schemas/member). */
export function memberView(row: ImageMemberRow) {
  return {
    image_id: row.imageId,
    member_id: row.memberId,
    status: row.status,
    created_at: formatTimestamp(row.createdAt),
    updated_at: formatTimestamp(row.updatedAt),
    schema: '/v2/schemas/member',
  };
}
