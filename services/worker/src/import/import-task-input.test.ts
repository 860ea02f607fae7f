import { TaskMessage } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { TaskFailedError } from '../errors.js';
import { parseImportInput } from './import-task-input.js';

function failureOf(input: Record<string, unknown>): string | undefined {
  try {
    parseImportInput(input);
    return undefined;
  } catch (error) {
    return error instanceof TaskFailedError ? error.clientMessage : String(error);
  }
}

describe('parseImportInput', () => {
  it('splits import_from and takes the name', () => {
    expect(parseImportInput({ import_from: 'exports/a/b.vhd', image_properties: { name: 'n' } })).toEqual({
      container: 'exports',
      object: 'a/b.vhd',
      imageName: 'n',
    });
  });

  it('fails other image properties with the documented message', () => {
    expect(failureOf({ import_from: 'c/o', image_properties: { name: 'n', os_type: 'linux' } })).toBe(
      TaskMessage.unsupportedImageProperty,
    );
  });

  it('treats a malformed location as a missing object', () => {
    expect(failureOf({ import_from: 'no-slash' })).toBe(TaskMessage.importObjectNotFound);
    expect(failureOf({ import_from: 42 })).toBe(TaskMessage.importObjectNotFound);
  });
});
