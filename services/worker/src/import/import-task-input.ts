import { parseContainerPath, TaskMessage } from '@cloud-images/shared';
import { TaskFailedError } from '../errors.js';

export interface ImportRequest {
  container: string;
  object: string;
  imageName: string | null;
}

/**
 * Reads an import task's input. The API already rejects bad input, but the worker re-checks it because the
 * task row is the contract: a wrong row must end as a documented failure, not as a retried crash.
 */
export function parseImportInput(input: Record<string, unknown>): ImportRequest {
  const properties = input['image_properties'];
  if (
    properties !== undefined &&
    (typeof properties !== 'object' || properties === null || Array.isArray(properties))
  ) {
    throw new TaskFailedError(TaskMessage.unsupportedImageProperty, 'image_properties is not an object');
  }
  const props = (properties ?? {}) as Record<string, unknown>;
  const extra = Object.keys(props).filter((key) => key !== 'name');
  if (extra.length > 0) {
    throw new TaskFailedError(
      TaskMessage.unsupportedImageProperty,
      `unsupported image properties: ${extra.join(', ')}`,
    );
  }
  const importFrom = input['import_from'];
  const path = typeof importFrom === 'string' ? parseContainerPath(importFrom) : undefined;
  if (!path) {
    throw new TaskFailedError(
      TaskMessage.importObjectNotFound,
      `import_from ${JSON.stringify(importFrom)} is not <container>/<object>`,
    );
  }
  const name = props['name'];
  return { ...path, imageName: typeof name === 'string' ? name : null };
}
