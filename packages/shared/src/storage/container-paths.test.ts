import { describe, expect, it } from 'vitest';
import { bucketForContainer, isValidContainerName, parseContainerPath } from './container-paths.js';

describe('container paths', () => {
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

  it('maps a container to the prefixed bucket', () => {
    expect(bucketForContainer('t1-', 'exports')).toBe('t1-exports');
  });
});
