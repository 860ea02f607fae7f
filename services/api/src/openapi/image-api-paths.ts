/** Helpers of openapi-document.ts, passed in so both files describe responses the same way. */
export interface PathHelpers {
  json: (schema: object) => object;
  errorResponses: (...codes: number[]) => Record<string, object>;
  idParam: (what: string) => object;
  schemaGet: (name: string) => Record<string, object>;
}

const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

const member = {
  type: 'object',
  properties: {
    image_id: { type: 'string' },
    member_id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'accepted', 'rejected'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    schema: { type: 'string' },
  },
};

/** The image API added by issue 12: PATCH, tags, members, HEAD and ranged downloads, version discovery. */
export function imageApiPaths(h: PathHelpers, image: object): Record<string, Record<string, object>> {
  const secured = (summary: string, parameters: object[], responses: Record<string, object>, extra = {}) => ({
    summary,
    security: [{ token: [] }],
    parameters,
    responses,
    ...extra,
  });
  const id = h.idParam('image');
  const tag = pathParam('tag', 'The tag (1 to 255 characters)');
  const memberId = pathParam('member', 'The member tenant id');
  const patchTypes = [
    'application/openstack-images-v2.1-json-patch',
    'application/openstack-images-v2.0-json-patch',
  ];
  const versions = { description: 'The versions document', content: h.json({ type: 'object' }) };
  return {
    '/v2/images/{id}': {
      patch: secured(
        'Update an image with JSON-Patch (owner only)',
        [id],
        {
          '200': { description: 'The image', content: h.json(image) },
          ...h.errorResponses(400, 401, 403, 404, 409, 413, 415),
        },
        {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              patchTypes.map((type) => [type, { schema: { type: 'array', items: { type: 'object' } } }]),
            ),
          },
        },
      ),
    },
    '/v2/images/{id}/file': {
      head: secured('Size and MD5 of the image data, from the image row', [id], {
        '200': { description: 'Content-Length and Content-MD5, no body' },
        '204': { description: 'The image has no data yet' },
        ...h.errorResponses(401, 404),
      }),
    },
    '/v2/images/{id}/tags/{tag}': {
      put: secured('Add a tag (owner only)', [id, tag], {
        '204': { description: 'Tagged' },
        ...h.errorResponses(400, 401, 403, 404, 413),
      }),
      delete: secured('Remove a tag (owner only)', [id, tag], {
        '204': { description: 'Removed' },
        ...h.errorResponses(401, 403, 404),
      }),
    },
    '/v2/images/{id}/members': {
      get: secured('List members: the owner sees all, a member itself', [id], {
        '200': {
          description: 'Members',
          content: h.json({ type: 'object', properties: { members: { type: 'array', items: member } } }),
        },
        ...h.errorResponses(401, 404),
      }),
      post: secured(
        'Share the image with a tenant (owner only)',
        [id],
        {
          '200': { description: 'The new member (pending)', content: h.json(member) },
          ...h.errorResponses(400, 401, 403, 404, 409, 413, 415),
        },
        {
          requestBody: {
            required: true,
            content: h.json({ type: 'object', properties: { member: { type: 'string' } } }),
          },
        },
      ),
    },
    '/v2/images/{id}/members/{member}': {
      get: secured('Show a member', [id, memberId], {
        '200': { description: 'The member', content: h.json(member) },
        ...h.errorResponses(401, 404),
      }),
      put: secured(
        'Accept, reject or reset a shared image (the member only)',
        [id, memberId],
        {
          '200': { description: 'The member', content: h.json(member) },
          ...h.errorResponses(400, 401, 403, 404, 415),
        },
        {
          requestBody: {
            required: true,
            content: h.json({ type: 'object', properties: { status: { type: 'string' } } }),
          },
        },
      ),
      delete: secured('Stop sharing with a tenant (owner only)', [id, memberId], {
        '204': { description: 'Removed' },
        ...h.errorResponses(401, 403, 404),
      }),
    },
    '/v2/schemas/member': h.schemaGet('an image member'),
    '/v2/schemas/members': h.schemaGet('an image member list'),
    '/': { get: { summary: 'Version discovery (300 Multiple Choices)', responses: { '300': versions } } },
    '/versions': { get: { summary: 'Version discovery', responses: { '200': versions } } },
  };
}
