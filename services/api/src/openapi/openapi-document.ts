import { imageSchema } from '../schemas/image-schema.js';
import { taskSchema } from '../schemas/task-schema.js';

/**
 * The OpenAPI 3.1 description of every route the API serves. JSON Schema 2020-12 is OpenAPI 3.1's schema
 * dialect, so the Glance schemas are reused as-is. tests/openapi.test.ts fails when routes and document differ.
 */
const json = (schema: object) => ({ 'application/json': { schema } });
const errorRef = { $ref: '#/components/schemas/Error' };

const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/E${code}` }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; the message names the problem',
  401: 'Missing or invalid X-Auth-Token',
  403: 'The token role may not do this (observers only read)',
  404: 'No such resource for this tenant (also expired tasks and other tenants\u2019 resources)',
  405: 'Method not allowed; see the Allow header',
  409: 'Idempotency-Key reused with a different body',
  413: 'Request body over the size limit',
  415: 'Content-Type is not application/json',
  500: 'Unexpected server fault',
  503: 'A backing service is unavailable, or the server is shutting down',
};

const idParam = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `The ${what} id (UUID); a malformed id is a 404`,
  schema: { type: 'string' },
});

const listParams = (
  sortKeys: readonly string[],
  filters: Record<string, readonly string[]>,
  clampLimit = false,
) => [
  clampLimit
    ? {
        name: 'limit',
        in: 'query',
        description: 'Above 100 is served as 100',
        schema: { type: 'integer', minimum: 1, default: 25 },
      }
    : { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
  {
    name: 'marker',
    in: 'query',
    description: 'Id of the last item seen',
    schema: { type: 'string', format: 'uuid' },
  },
  { name: 'sort_key', in: 'query', schema: { type: 'string', enum: sortKeys, default: 'created_at' } },
  { name: 'sort_dir', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
  ...Object.entries(filters).map(([name, values]) => ({
    name,
    in: 'query',
    schema: { type: 'string', enum: values },
  })),
];

const listBody = (key: string, item: object) => ({
  type: 'object',
  required: [key, 'first', 'schema'],
  properties: {
    [key]: { type: 'array', items: item },
    first: { type: 'string' },
    next: { type: 'string', description: 'Present only when a full page came back' },
    schema: { type: 'string' },
  },
});

const schemaGet = (name: string) => ({
  get: {
    summary: `JSON Schema of ${name}`,
    security: [{ token: [] }],
    responses: {
      '200': { description: 'The schema', content: json({ type: 'object' }) },
      ...errorResponses(401),
    },
  },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const task = { $ref: '#/components/schemas/Task' };
  const image = { $ref: '#/components/schemas/Image' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cloud Images API',
      version: '2.0.0',
      description:
        'Rackspace Cloud Images v2 / OpenStack Glance v2 compatible image import and export tasks. ' +
        'Every error body is {"error": {code, title, message}}. Any path and method not listed answers a JSON 404 or 405.',
    },
    components: {
      securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      schemas: {
        Task: taskSchema,
        Image: imageSchema,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'title', 'message'],
              properties: {
                code: { type: 'integer' },
                title: { type: 'string' },
                message: { type: 'string' },
              },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
        TaskRequest: {
          type: 'object',
          required: ['type', 'input'],
          additionalProperties: false,
          properties: {
            type: { enum: ['import', 'export'] },
            input: {
              oneOf: [
                {
                  type: 'object',
                  required: ['import_from', 'image_properties'],
                  additionalProperties: false,
                  properties: {
                    import_from: { type: 'string', description: '<container>/<object>' },
                    image_properties: {
                      type: 'object',
                      required: ['name'],
                      properties: { name: { type: 'string' } },
                      description: 'Keys besides name: 201, then the task fails with the documented message',
                    },
                  },
                },
                {
                  type: 'object',
                  required: ['image_uuid', 'receiving_swift_container'],
                  additionalProperties: false,
                  properties: {
                    image_uuid: { type: 'string', format: 'uuid' },
                    receiving_swift_container: { type: 'string' },
                    format: { enum: ['dynamic', 'fixed'], default: 'dynamic' },
                  },
                },
              ],
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([code, description]) => [
          `E${code}`,
          { description, content: json(errorRef) },
        ]),
      ),
    },
    paths: {
      '/v2/tasks': {
        get: {
          summary: "List the caller's tasks (stubs without input, result and message)",
          security: [{ token: [] }],
          parameters: listParams(['created_at', 'updated_at', 'id', 'type', 'status'], {
            status: ['pending', 'processing', 'success', 'failure'],
            type: ['import', 'export'],
          }),
          responses: {
            '200': { description: 'A page of tasks', content: json(listBody('tasks', task)) },
            ...errorResponses(400, 401),
          },
        },
        post: {
          summary: 'Create an import or export task',
          security: [{ token: [] }],
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/TaskRequest' }) },
          responses: {
            '201': {
              description: 'The task (pending, or failure for unsupported image properties)',
              content: json(task),
            },
            ...errorResponses(400, 401, 403, 409, 413, 415, 503),
          },
        },
      },
      '/v2/tasks/{id}': {
        get: {
          summary: 'Show a task (DELETE answers 405 with Allow: GET; tasks end by expiry)',
          security: [{ token: [] }],
          parameters: [idParam('task')],
          responses: {
            '200': { description: 'The task', content: json(task) },
            ...errorResponses(401, 404, 405),
          },
        },
      },
      '/v2/images': {
        get: {
          summary: "List the caller's images",
          security: [{ token: [] }],
          parameters: listParams(
            ['created_at', 'updated_at', 'name', 'id', 'status', 'size'],
            {
              status: ['queued', 'saving', 'active', 'killed'],
            },
            true,
          ),
          responses: {
            '200': { description: 'A page of images', content: json(listBody('images', image)) },
            ...errorResponses(400, 401),
          },
        },
      },
      '/v2/images/{id}': {
        get: {
          summary: 'Show an image',
          security: [{ token: [] }],
          parameters: [idParam('image')],
          responses: {
            '200': { description: 'The image', content: json(image) },
            ...errorResponses(401, 404),
          },
        },
        delete: {
          summary: 'Delete an image and its stored data',
          security: [{ token: [] }],
          parameters: [idParam('image')],
          responses: { '204': { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
        },
      },
      '/v2/images/{id}/file': {
        get: {
          summary: 'Download the image data, streamed from the image store',
          security: [{ token: [] }],
          parameters: [idParam('image')],
          responses: {
            '200': {
              description: 'The VHD bytes; Content-MD5 carries the hex MD5 checksum',
              content: {
                'application/octet-stream': {
                  schema: { type: 'string', contentMediaType: 'application/octet-stream' },
                },
              },
            },
            '204': { description: 'The image has no data yet' },
            ...errorResponses(401, 404),
          },
        },
      },
      '/v2/schemas/task': schemaGet('a task'),
      '/v2/schemas/tasks': schemaGet('a task list'),
      '/v2/schemas/image': schemaGet('an image'),
      '/v2/schemas/images': schemaGet('an image list'),
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: Postgres and Redis reachable and not shutting down',
          responses: { '200': { description: 'Ready' }, ...errorResponses(503) },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'Text exposition format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
  };
}
