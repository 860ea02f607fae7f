import {
  errorBody,
  exportTaskInput,
  imageListQuery,
  importTaskInput,
  taskCreateBody,
  taskListQuery,
} from '@cloud-images/shared';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaOf, queryParametersOf } from '../src/openapi/contract-json-schema.js';
import { startTestApi, type TestApi } from './support/api-harness.js';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the Express app really serves (405 catch-alls excluded), in OpenAPI path syntax. */
function servedOperations(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all')
            found.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

describe('OpenAPI document', () => {
  it('is served as OpenAPI 3.1', async () => {
    const res = await t.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the app serves', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = servedOperations(t.api.app);
    expect(served.length).toBeGreaterThan(10);
    expect(documented).toEqual(served);
  });

  it('resolves every $ref', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json;
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const path = ref.slice(10, -1).split('/');
      let node = doc;
      for (const key of path) node = node?.[key];
      expect(node, ref).toBeDefined();
    }
  });

  it('has every field of the contract schemas: task bodies, list queries and the error body', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json;
    const paramNames = (path: string) =>
      doc.paths[path].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(paramNames('/v2/tasks')).toEqual(Object.keys(taskListQuery.shape).sort());
    expect(paramNames('/v2/images')).toEqual(Object.keys(imageListQuery.shape).sort());
    const bodies = doc.components.schemas.TaskRequest.oneOf as {
      properties: { type: { const: string }; input: { properties: object; required: string[] } };
    }[];
    const inputOf = (type: string) => bodies.find((b) => b.properties.type.const === type)?.properties.input;
    expect(Object.keys(inputOf('import')?.properties ?? {}).sort()).toEqual(
      Object.keys(importTaskInput.shape).sort(),
    );
    expect(Object.keys(inputOf('export')?.properties ?? {}).sort()).toEqual(
      Object.keys(exportTaskInput.shape).sort(),
    );
    expect(inputOf('export')?.required.sort()).toEqual(['image_uuid', 'receiving_swift_container']);
    expect(Object.keys(doc.components.schemas.Error.properties.error.properties).sort()).toEqual(
      Object.keys(errorBody.shape.error.shape).sort(),
    );
  });

  it('follows the contract: a field added to a schema appears in what the document is built from', () => {
    const grown = taskListQuery.extend({ owner: z.string().optional() });
    expect(queryParametersOf(grown).map((p) => p.name)).toContain('owner');
    const grownBody = z.discriminatedUnion('type', [
      ...taskCreateBody.options,
      z.strictObject({ type: z.literal('copy'), input: z.strictObject({ from: z.string() }) }),
    ]);
    expect(JSON.stringify(jsonSchemaOf(grownBody))).toContain('"copy"');
  });
});
