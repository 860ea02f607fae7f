/** Per-image limits, Glance's defaults (image_property_quota, image_tag_quota, image_member_quota). */
export const IMAGE_LIMITS = {
  properties: 128,
  propertyKeyLength: 255,
  propertyValueBytes: 65_535,
  tags: 128,
  tagLength: 255,
  members: 128,
  nameLength: 255,
} as const;
