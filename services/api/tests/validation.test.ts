import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApi({ BODY_LIMIT_BYTES: '2048' });
  tenant = await t.createTestTenant();
});
afterAll(() => t?.close());

const post = (rawBody: string, contentType = 'application/json') =>
  t.request('POST', '/v2/tasks', {
    token: tenant.tokens.creator,
    rawBody,
    headers: { 'Content-Type': contentType },
  });

const validImport = importBody().input;
const validExport = {
  image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6',
  receiving_swift_container: 'exports',
};

describe('POST /v2/tasks input validation', () => {
  it.each([
    ['malformed JSON', '{"type": "import",', /not valid JSON/],
    ['an empty body', '', /empty|not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['a JSON string', '"import"', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    [
      'an extra top-level key',
      JSON.stringify({ ...importBody(), extra: 1 }),
      /Unexpected key\(s\) in the request body: 'extra'/,
    ],
    ['a missing type', JSON.stringify({ input: validImport }), /Missing required field 'type'/],
    ['a missing input', JSON.stringify({ type: 'import' }), /Missing required field 'input'/],
    ['an unknown type', JSON.stringify({ type: 'copy', input: validImport }), /Unknown task type "copy"/],
    ['a non-string type', JSON.stringify({ type: 7, input: validImport }), /Unknown task type 7/],
    ['a non-object input', JSON.stringify({ type: 'import', input: 'x' }), /'input' must be a JSON object/],
    [
      'a missing import_from',
      JSON.stringify({ type: 'import', input: { image_properties: { name: 'x' } } }),
      /Missing required field 'input.import_from'/,
    ],
    [
      'a wrongly typed import_from',
      JSON.stringify({ type: 'import', input: { ...validImport, import_from: 5 } }),
      /'input.import_from' must be of type string, not number/,
    ],
    [
      'an empty import_from',
      JSON.stringify({ type: 'import', input: { ...validImport, import_from: '' } }),
      /'input.import_from' must not be empty/,
    ],
    [
      'an import_from whose container is not a valid container name',
      JSON.stringify({ type: 'import', input: { ...validImport, import_from: 'Imports/x.vhd' } }),
      /'input.import_from'.*'Imports' is not a valid container name/,
    ],
    [
      'an import_from without a slash',
      JSON.stringify({ type: 'import', input: { ...validImport, import_from: 'noslash' } }),
      /'input.import_from'.*not of the form <container>\/<object>/,
    ],
    [
      'an import_from without an object',
      JSON.stringify({ type: 'import', input: { ...validImport, import_from: 'imports/' } }),
      /'input.import_from'.*names no object/,
    ],
    [
      'a missing image_properties',
      JSON.stringify({ type: 'import', input: { import_from: 'a/b' } }),
      /Missing required field 'input.image_properties'/,
    ],
    [
      'a missing image name',
      JSON.stringify({ type: 'import', input: { import_from: 'a/b', image_properties: {} } }),
      /Missing required field 'input.image_properties.name'/,
    ],
    [
      'an extra import input key',
      JSON.stringify({ type: 'import', input: { ...validImport, region: 'iad' } }),
      /Unexpected key\(s\) in 'input': 'region'/,
    ],
    [
      'an invalid image_uuid',
      JSON.stringify({ type: 'export', input: { ...validExport, image_uuid: 'not-a-uuid' } }),
      /'input.image_uuid' must be a UUID/,
    ],
    [
      'a missing receiving_swift_container',
      JSON.stringify({ type: 'export', input: { image_uuid: validExport.image_uuid } }),
      /Missing required field 'input.receiving_swift_container'/,
    ],
    [
      'an unknown export format',
      JSON.stringify({ type: 'export', input: { ...validExport, format: 'sparse' } }),
      /'input.format' must be one of 'dynamic', 'fixed'/,
    ],
    [
      'import input sent for an export',
      JSON.stringify({ type: 'export', input: validImport }),
      /Unexpected key\(s\) in 'input'|Missing required field/,
    ],
  ])('answers 400 for %s, naming the problem', async (_case, rawBody, message) => {
    const res = await post(rawBody);
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({
      code: 400,
      title: 'Bad Request',
      message: expect.stringMatching(message),
    });
  });

  it("answers 400 for a container that no longer fits a bucket name after the tenant's prefix", async () => {
    const prefixed = await t.createTestTenant(undefined, 'acme-prefix-');
    const container = 'c'.repeat(55);
    const res = await t.request('POST', '/v2/tasks', {
      token: prefixed.tokens.creator,
      body: { type: 'import', input: { ...validImport, import_from: `${container}/x.vhd` } },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/longer than 51 characters/);
    // Without a prefix the same container is fine.
    expect(
      (
        await post(
          JSON.stringify({ type: 'import', input: { ...validImport, import_from: `${container}/x.vhd` } }),
        )
      ).status,
    ).toBe(201);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form encoding', 'application/x-www-form-urlencoded'],
  ])('answers 415 for %s', async (_case, contentType) => {
    const res = await post(JSON.stringify(importBody()), contentType);
    expect(res.status).toBe(415);
    expect(res.json.error).toMatchObject({ code: 415, title: 'Unsupported Media Type' });
    expect(res.json.error.message).toContain(contentType);
  });

  it('answers 415 when there is no Content-Type at all', async () => {
    const res = await t.request('POST', '/v2/tasks', {
      token: tenant.tokens.creator,
      rawBody: JSON.stringify(importBody()),
    });
    // fetch labels a string body text/plain; either way it is not JSON.
    expect(res.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const res = await post(JSON.stringify(importBody()), 'application/json; charset=utf-8');
    expect(res.status).toBe(201);
  });

  it('answers a body over the limit with a JSON 413', async () => {
    const res = await post(JSON.stringify(importBody('x'.repeat(4096))));
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 413, message: expect.stringMatching(/2048 bytes/) });
  });

  it('answers an unknown route with a JSON 404 and a wrong method with 405 + Allow', async () => {
    const unknown = await t.request('GET', '/v2/nothing-here', { token: tenant.tokens.observer });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 404, title: 'Not Found' });
    const outside = await t.request('GET', '/nothing');
    expect(outside.status).toBe(404);
    expect(outside.json.error.code).toBe(404);
    const wrong = await t.request('PUT', '/v2/tasks', { token: tenant.tokens.admin });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    const images = await t.request('POST', '/v2/images/00000000-0000-4000-8000-000000000000', {
      token: tenant.tokens.admin,
    });
    expect(images.status).toBe(405);
    expect(images.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });
});
