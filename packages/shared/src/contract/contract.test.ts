import { describe, expect, it } from 'vitest';
import { parseContract } from './describe-issue.js';
import { imageListQuery, taskListQuery } from './list-queries.js';
import { taskCreateBody } from './task-create.js';

const message = (schema: Parameters<typeof parseContract>[0], value: unknown) => {
  const parsed = parseContract(schema, value);
  return parsed.ok ? 'ok' : parsed.message;
};

const validImport = { import_from: 'a/b.vhd', image_properties: { name: 'n' } };

describe('task create body', () => {
  it.each([
    [[], /^The request body must be a JSON object\.$/],
    [
      { ...{ type: 'import', input: validImport }, extra: 1 },
      /Unexpected key\(s\) in the request body: 'extra'/,
    ],
    [{ input: validImport }, /^Missing required field 'type'\.$/],
    [{ type: 'copy', input: validImport }, /^Unknown task type "copy"; expected 'import' or 'export'\.$/],
    [{ type: 7, input: validImport }, /Unknown task type 7/],
    [{ type: 'import' }, /^Missing required field 'input'\.$/],
    [{ type: 'import', input: 'x' }, /^'input' must be a JSON object\.$/],
    [
      { type: 'import', input: { ...validImport, import_from: 5 } },
      /'input.import_from' must be of type string, not number/,
    ],
    [{ type: 'import', input: { ...validImport, import_from: '' } }, /'input.import_from' must not be empty/],
    [
      { type: 'export', input: { image_uuid: 'nope', receiving_swift_container: 'c' } },
      /'input.image_uuid' must be a UUID/,
    ],
    [
      {
        type: 'export',
        input: {
          image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6',
          receiving_swift_container: 'c',
          format: 'qcow2',
        },
      },
      /'input.format' must be one of 'dynamic', 'fixed'/,
    ],
  ])('%j → %s', (body, expected) => {
    expect(message(taskCreateBody, body)).toMatch(expected);
  });

  it('accepts the seed bodies, with image properties besides name left to the task', () => {
    expect(
      message(taskCreateBody, {
        type: 'import',
        input: { ...validImport, image_properties: { name: 'n', os: 'x' } },
      }),
    ).toBe('ok');
    expect(
      message(taskCreateBody, {
        type: 'export',
        input: { image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6', receiving_swift_container: 'bad.name' },
      }),
    ).toBe('ok');
  });
});

describe('list queries', () => {
  it('applies the defaults', () => {
    const parsed = parseContract(taskListQuery, {});
    expect(parsed).toEqual({ ok: true, value: { sort_key: 'created_at', sort_dir: 'desc' } });
  });

  it.each([
    [{ limit: '0' }, /^Invalid limit '0'; expected an integer from 1 to 100\.$/],
    [{ limit: '101' }, /limit '101'/],
    [{ limit: 'ten' }, /limit 'ten'/],
    [{ marker: 'nope' }, /marker 'nope'/],
    [{ sort_key: 'owner' }, /^Invalid sort_key 'owner'; expected one of 'created_at'/],
    [{ sort_dir: 'up' }, /sort_dir 'up'/],
    [{ status: 'done' }, /status 'done'/],
    [{ type: 'copy' }, /type 'copy'/],
    [{ colour: 'red' }, /^Unknown query parameter 'colour'\.$/],
  ])('tasks reject %j', (query, expected) => {
    expect(message(taskListQuery, query)).toMatch(expected);
  });

  it('lets images ask for more than the maximum (served as the maximum) but not for less than 1', () => {
    expect(message(imageListQuery, { limit: '200' })).toBe('ok');
    expect(message(imageListQuery, { limit: '0' })).toMatch(/limit '0'/);
    expect(message(imageListQuery, { type: 'import' })).toMatch(/Unknown query parameter 'type'/);
  });
});
