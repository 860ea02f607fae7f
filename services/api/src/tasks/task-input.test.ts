import { describe, expect, it } from 'vitest';
import { parseIdempotencyKey, parseTaskRequest, requestHash } from './task-input.js';

describe('parseTaskRequest', () => {
  it('accepts the seed import and export bodies', () => {
    const imported = parseTaskRequest({
      type: 'import',
      input: {
        image_properties: { name: 'My excellent custom image' },
        import_from: 'exports/my-excellent-image.vhd',
      },
    });
    expect(imported).toMatchObject({ body: { type: 'import' }, hasUnsupportedImageProperty: false });
    const exported = parseTaskRequest({
      type: 'export',
      input: {
        image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6',
        receiving_swift_container: 'exports',
        format: 'fixed',
      },
    });
    expect(exported.body.type).toBe('export');
  });

  it('flags image properties besides name instead of rejecting them', () => {
    const request = parseTaskRequest({
      type: 'import',
      input: { import_from: 'a/b', image_properties: { name: 'n', os: 'x' } },
    });
    expect(request.hasUnsupportedImageProperty).toBe(true);
  });

  it('leaves container-name rules to the task (they are task failures by contract)', () => {
    const request = parseTaskRequest({
      type: 'export',
      input: { image_uuid: 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6', receiving_swift_container: 'bad.name' },
    });
    expect(request.body.type).toBe('export');
  });
});

describe('requestHash', () => {
  it('ignores key order but not values', () => {
    const a = requestHash({ type: 'import', input: { import_from: 'a/b', image_properties: { name: 'n' } } });
    const b = requestHash({ type: 'import', input: { image_properties: { name: 'n' }, import_from: 'a/b' } });
    const c = requestHash({ type: 'import', input: { image_properties: { name: 'm' }, import_from: 'a/b' } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts visible ASCII up to 255 characters', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('abc-123')).toBe('abc-123');
    expect(() => parseIdempotencyKey('has space')).toThrow(/Idempotency-Key/);
    expect(() => parseIdempotencyKey('x'.repeat(256))).toThrow(/Idempotency-Key/);
  });
});
