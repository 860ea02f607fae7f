import { describe, expect, it } from 'vitest';
import { parseContract } from './describe-issue.js';
import {
  importLocationProblem,
  isUuid,
  isValidBucketPrefix,
  isValidContainerName,
  parseContainerPath,
  unsupportedImageProperties,
} from './rules.js';
import { taskCreateBody } from './task-create.js';

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

  it('accepts an import_from naming a valid container and an object', () => {
    expect(importLocationProblem('imports/disk.vhd')).toBeUndefined();
    expect(importLocationProblem('imports/dir/disk.vhd')).toBeUndefined();
    expect(importLocationProblem(`${'c'.repeat(63)}/o`)).toBeUndefined();
  });

  it('names the problem of an import_from that cannot name an object', () => {
    expect(importLocationProblem('noslash')).toMatch(/not of the form <container>\/<object>/);
    expect(importLocationProblem('/o')).toMatch(/names no container/);
    expect(importLocationProblem('c/')).toMatch(/names no object/);
    expect(importLocationProblem('Imports/x.vhd')).toMatch(/'Imports' is not a valid container name/);
    expect(importLocationProblem('a.b/x')).toMatch(/not a valid container name/);
    expect(importLocationProblem(`${'c'.repeat(64)}/o`)).toMatch(/not a valid container name/);
    // The tenant's prefix shortens what is left for the container.
    expect(importLocationProblem(`${'c'.repeat(60)}/o`, 'acme-')).toMatch(/longer than 58 characters/);
    expect(importLocationProblem(`${'c'.repeat(58)}/o`, 'acme-')).toBeUndefined();
  });

  it('rejects an invalid import_from in the task-create contract, naming the problem', () => {
    const body = (importFrom: string) => ({
      type: 'import',
      input: { import_from: importFrom, image_properties: { name: 'n' } },
    });
    expect(parseContract(taskCreateBody, body('imports/x.vhd')).ok).toBe(true);
    const parsed = parseContract(taskCreateBody, body('Imports/x.vhd'));
    expect(parsed).toEqual({ ok: false, message: expect.stringMatching(/import_from.*'Imports'/) });
    expect(parseContract(taskCreateBody, body('noslash')).ok).toBe(false);
  });

  it('knows a well-formed bucket prefix', () => {
    for (const good of ['', 'acme-', 'a', 't1-']) expect(isValidBucketPrefix(good), good).toBe(true);
    for (const bad of ['Acme-', '-a', 'a.b', 'a/b', 'a_b', 'x'.repeat(63)]) {
      expect(isValidBucketPrefix(bad), bad).toBe(false);
    }
  });
});
