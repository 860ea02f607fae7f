import { describe, expect, it } from 'vitest';
import { isUuid, isValidContainerName, parseContainerPath, unsupportedImageProperties } from './rules.js';

describe('contract rules', () => {
  it('splits import_from at the first slash', () => {
    expect(parseContainerPath('exports/my-image.vhd')).toEqual({
      container: 'exports',
      object: 'my-image.vhd',
    });
    expect(parseContainerPath('exports/dir/a.vhd')).toEqual({ container: 'exports', object: 'dir/a.vhd' });
    expect(parseContainerPath('no-slash')).toBeUndefined();
    expect(parseContainerPath('/obj')).toBeUndefined();
    expect(parseContainerPath('container/')).toBeUndefined();
  });

  it("rejects container names with '/', '?' or '.'", () => {
    expect(isValidContainerName('exports')).toBe(true);
    for (const bad of ['a/b', 'a?b', 'a.b', '', 'UPPER']) expect(isValidContainerName(bad), bad).toBe(false);
  });

  it('knows a UUID in either case, and nothing else', () => {
    expect(isUuid('ca5e7f11-5d57-4dd7-8ace-03ab647fe6c6')).toBe(true);
    expect(isUuid('CA5E7F11-5D57-4DD7-8ACE-03AB647FE6C6')).toBe(true);
    for (const bad of ['', 'nope', 'ca5e7f11-5d57-4dd7-8ace-03ab647fe6c', 7, null])
      expect(isUuid(bad)).toBe(false);
  });

  it('names the image properties besides name', () => {
    expect(unsupportedImageProperties({ name: 'n' })).toEqual([]);
    expect(unsupportedImageProperties({ name: 'n', os: 'x', arch: 'y' })).toEqual(['os', 'arch']);
  });
});
