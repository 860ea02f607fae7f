/**
 * JSON Schemas of the image resource (Glance v2 subset). Every field `imageView` returns is declared, nullable
 * where the value can be null. Extra properties are strings, as in Glance, so custom metadata never breaks clients.
 */
const imageProperties = {
  id: {
    type: 'string',
    description: 'An identifier for the image',
    pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
  },
  name: { type: ['null', 'string'], maxLength: 255 },
  status: { type: 'string', enum: ['queued', 'saving', 'active', 'killed', 'deleted'] },
  visibility: { type: 'string', enum: ['public', 'private', 'shared', 'community'] },
  protected: { type: 'boolean', description: 'If true, the image cannot be deleted' },
  tags: {
    type: 'array',
    description: 'List of strings related to the image',
    items: { type: 'string', maxLength: 255 },
  },
  owner: { type: ['null', 'string'] },
  size: { type: ['null', 'integer'], description: 'Size of the stored image data in bytes' },
  virtual_size: { type: ['null', 'integer'], description: 'Virtual size of the disk in bytes' },
  checksum: { type: ['null', 'string'], description: 'MD5 of the image data', maxLength: 32 },
  os_hash_algo: { type: ['null', 'string'] },
  os_hash_value: { type: ['null', 'string'] },
  disk_format: { type: ['null', 'string'], enum: [null, 'vhd'] },
  container_format: { type: ['null', 'string'], enum: [null, 'bare'] },
  min_disk: { type: 'integer' },
  min_ram: { type: 'integer' },
  created_at: { type: 'string' },
  updated_at: { type: 'string' },
  file: { type: 'string' },
  self: { type: 'string' },
  schema: { type: 'string' },
} as const;

const links = [
  { rel: 'self', href: '{self}' },
  { rel: 'enclosure', href: '{file}' },
  { rel: 'describedby', href: '{schema}' },
] as const;

export const imageSchema = {
  name: 'image',
  properties: imageProperties,
  additionalProperties: { type: 'string' },
  links,
} as const;

export const imagesSchema = {
  name: 'images',
  properties: {
    images: {
      type: 'array',
      items: { name: 'image', properties: imageProperties, additionalProperties: { type: 'string' }, links },
    },
    first: { type: 'string' },
    next: { type: 'string' },
    schema: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
} as const;
