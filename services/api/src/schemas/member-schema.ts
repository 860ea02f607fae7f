/** JSON Schemas of Glance's image member resource; every field memberView returns is declared. */
const memberProperties = {
  created_at: { type: 'string', description: 'Date and time of image member creation' },
  image_id: {
    type: 'string',
    description: 'An identifier for the image',
    pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
  },
  member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
  status: {
    type: 'string',
    description: 'The status of this image member',
    enum: ['pending', 'accepted', 'rejected'],
  },
  updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
  schema: { type: 'string', readOnly: true },
} as const;

export const memberSchema = { name: 'member', properties: memberProperties } as const;

export const membersSchema = {
  name: 'members',
  properties: {
    members: { type: 'array', items: { name: 'member', properties: memberProperties } },
    schema: { type: 'string' },
  },
  links: [{ rel: 'schema', href: '{schema}' }],
} as const;
