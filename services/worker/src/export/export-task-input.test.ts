import { TaskMessage } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { TaskFailedError } from '../errors.js';
import { parseExportInput } from './export-task-input.js';

const image = 'CA5E7F11-5D57-4DD7-8ACE-03AB647FE6C6';

describe('parseExportInput', () => {
  it('reads the seed input, defaulting to a dynamic VHD', () => {
    expect(parseExportInput({ image_uuid: image, receiving_swift_container: 'exports' })).toEqual({
      imageId: image.toLowerCase(),
      container: 'exports',
      format: 'dynamic',
    });
  });

  it('leaves the container-name rule to the export, which reports it with the seed text', () => {
    expect(
      parseExportInput({ image_uuid: image, receiving_swift_container: 'a.b', format: 'fixed' }),
    ).toEqual({
      imageId: image.toLowerCase(),
      container: 'a.b',
      format: 'fixed',
    });
  });

  it.each([
    [{ image_uuid: 'not-a-uuid', receiving_swift_container: 'c' }, "'input.image_uuid' must be a UUID."],
    [
      { image_uuid: image, receiving_swift_container: 'c', format: 'qcow2' },
      "'input.format' must be one of 'dynamic', 'fixed'.",
    ],
    [{ image_uuid: image }, "Missing required field 'input.receiving_swift_container'."],
  ])('fails %j with a message naming the problem', (input, problem) => {
    expect(() => parseExportInput(input)).toThrow(TaskFailedError);
    expect(() => parseExportInput(input)).toThrow(TaskMessage.invalidTaskInput(problem));
  });
});
