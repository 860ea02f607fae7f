import { errorBody, imageListQuery, taskCreateBody, taskListQuery } from '@cloud-images/shared';
import { imageSchema } from '../schemas/image-schema.js';
import { taskSchema } from '../schemas/task-schema.js';
import { jsonSchemaOf, queryParametersOf } from './contract-json-schema.js';
import { imageApiPaths } from './image-api-paths.js';

/**
 * The OpenAPI 3.1 description of every route the tenant port serves (the ops listener's probes and /metrics are not
 * part of the tenant API: docs/operations.md). What clients send (the task body, the list
 * queries) and the error body are generated from the shared contract's zod schemas, so the document cannot
 * drift from the validation. The Glance response schemas are served verbatim, because glanceclient builds its
 * models from them. tests/openapi.test.ts fails when routes and document differ.
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

function baseDocument() {
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
        Error: jsonSchemaOf(errorBody),
        TaskRequest: jsonSchemaOf(taskCreateBody),
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
          parameters: queryParametersOf(taskListQuery),
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
          parameters: queryParametersOf(imageListQuery),
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
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
  };
}

/** The base document with the image API's operations merged in, path by path. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const document = baseDocument();
  const paths = document.paths as Record<string, Record<string, object>>;
  const extras = imageApiPaths(
    { json, errorResponses, idParam, schemaGet },
    { $ref: '#/components/schemas/Image' },
  );
  for (const [path, operations] of Object.entries(extras)) paths[path] = { ...paths[path], ...operations };
  return document;
}
