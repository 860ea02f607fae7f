import { type ExportTaskInput, exportTaskInput } from '@cloud-images/shared';
import { parseStoredTaskInput } from '../tasks/stored-task-input.js';

export type ExportFormat = NonNullable<ExportTaskInput['format']>;

export interface ExportRequest {
  imageId: string;
  container: string;
  /** This service's extension (default "dynamic"): "fixed" for consumers such as Azure that need one. */
  format: ExportFormat;
}

/**
 * Reads an export task's input with the shared contract; a row that does not parse ends as a task failure
 * naming the problem. The container-name rule is NOT checked here: the export applies it with the seeds' text.
 */
export function parseExportInput(input: unknown): ExportRequest {
  const {
    image_uuid: imageId,
    receiving_swift_container: container,
    format = 'dynamic',
  } = parseStoredTaskInput(exportTaskInput, input);
  return { imageId: imageId.toLowerCase(), container, format };
}
