import { TaskMessage } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { TaskFailedError } from '../errors.js';
import { parseImportInput } from './import-task-input.js';

function failureOf(input: unknown): string | undefined {
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

  it('fails a stored location that is not <container>/<object> as invalid input, naming the problem', () => {
    // The API answers such a value with 400 (issue 12), replacing the old "Possible invalid location" on purpose;
    // only a hand-made row can still carry one.
    expect(failureOf({ import_from: 'no-slash', image_properties: { name: 'n' } })).toBe(
      TaskMessage.invalidTaskInput(
        "Invalid 'input.import_from': 'no-slash' is not of the form <container>/<object>.",
      ),
    );
  });

  it('fails a stored input that breaks the contract with a message naming the problem', () => {
    expect(failureOf({ import_from: 42, image_properties: { name: 'n' } })).toBe(
      TaskMessage.invalidTaskInput("'input.import_from' must be of type string, not number."),
    );
    expect(failureOf({ import_from: 'c/o' })).toBe(
      TaskMessage.invalidTaskInput("Missing required field 'input.image_properties'."),
    );
    expect(failureOf('not an object')).toBe(TaskMessage.invalidTaskInput("'input' must be a JSON object."));
  });
});
