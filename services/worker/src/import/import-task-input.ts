import {
  importTaskInput,
  parseContainerPath,
  TaskMessage,
  unsupportedImageProperties,
} from '@cloud-images/shared';
import { TaskFailedError } from '../errors.js';
import { parseStoredTaskInput } from '../tasks/stored-task-input.js';

export interface ImportRequest {
  container: string;
  object: string;
  imageName: string;
}

/**
 * Reads an import task's input with the shared contract, then applies the rules the seeds make task failures,
 * with the seeds' exact messages: image properties besides `name`, and an `import_from` that is not
 * "<container>/<object>".
 */
export function parseImportInput(input: unknown): ImportRequest {
  const { import_from: importFrom, image_properties: properties } = parseStoredTaskInput(
    importTaskInput,
    input,
  );
  const extra = unsupportedImageProperties(properties);
  if (extra.length > 0) {
    throw new TaskFailedError(
      TaskMessage.unsupportedImageProperty,
      `unsupported image properties: ${extra.join(', ')}`,
    );
  }
  const path = parseContainerPath(importFrom);
  if (!path) {
    throw new TaskFailedError(
      TaskMessage.importObjectNotFound,
      `import_from ${JSON.stringify(importFrom)} is not <container>/<object>`,
    );
  }
  return { ...path, imageName: properties.name };
}
