import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidRequestError, ResourceConflictError } from '../domain-errors.js';
import { applyImagePatch, type EditableImage, PATCH_MEDIA_TYPES, parsePatch } from './image-patch.js';

const image: EditableImage = {
  name: 'n',
  tags: ['a'],
  min_disk: 0,
  min_ram: 0,
  visibility: 'shared',
  protected: false,
  disk_format: 'vhd',
  container_format: 'bare',
  properties: { k: 'v' },
};
const apply = (ops: unknown[], active = true, media: string = PATCH_MEDIA_TYPES.v21) =>
  applyImagePatch(image, parsePatch(ops, media), active);

describe('image patch', () => {
  it("reads Glance's v2.0 form like the RFC 6902 one, and decodes JSON pointers", () => {
    expect(apply([{ replace: '/name', value: 'x' }], true, PATCH_MEDIA_TYPES.v20).name).toBe('x');
    expect(apply([{ op: 'add', path: '/a~1b', value: 'v' }]).properties).toEqual({ k: 'v', 'a/b': 'v' });
  });

  it('edits tags by element and de-duplicates them', () => {
    expect(apply([{ op: 'add', path: '/tags/0', value: 'z' }]).tags).toEqual(['z', 'a']);
    expect(apply([{ op: 'add', path: '/tags/-', value: 'a' }]).tags).toEqual(['a']);
    expect(apply([{ op: 'replace', path: '/tags/0', value: 'b' }]).tags).toEqual(['b']);
    expect(() => apply([{ op: 'remove', path: '/tags/5' }])).toThrow(ResourceConflictError);
  });

  it('is all or nothing and leaves the input untouched', () => {
    expect(() =>
      apply([
        { op: 'replace', path: '/name', value: 'x' },
        { op: 'replace', path: '/id', value: 'y' },
      ]),
    ).toThrow(ForbiddenError);
    expect(image.name).toBe('n');
  });

  it('allows the formats to be set before the image is active, only to what it stores', () => {
    expect(apply([{ op: 'replace', path: '/disk_format', value: 'vhd' }], false).disk_format).toBe('vhd');
    expect(() => apply([{ op: 'replace', path: '/disk_format', value: 'qcow2' }], false)).toThrow(
      InvalidRequestError,
    );
    expect(() => apply([{ op: 'replace', path: '/disk_format', value: 'vhd' }], true)).toThrow(
      ForbiddenError,
    );
  });
});
