import {
  importTaskInput,
  parseContainerPath,
  parseContract,
  TaskMessage,
  unsupportedImageProperties,
} from '@cloud-images/shared';
import { TaskFailedError } from '../errors.js';

export interface ImportRequest {
  container: string;
  object: string;
  imageName: string;
}

/**
 * Reads an import task's input with the shared contract. The task row is the contract: a row that does not
 * parse ends as a task failure naming the problem (never a retried crash). The rules the seeds make task
 * failures are applied here, with the seeds' exact messages: image properties besides `name`, and an
 * `import_from` that is not "<container>/<object>".
 */
export function parseImportInput(input: unknown): ImportRequest {
  const parsed = parseContract(importTaskInput, input, ['input']);
  if (!parsed.ok) throw new TaskFailedError(TaskMessage.invalidTaskInput(parsed.message), parsed.message);
  const { import_from: importFrom, image_properties: properties } = parsed.value;
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
