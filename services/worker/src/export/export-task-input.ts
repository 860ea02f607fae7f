import { TaskFailedError } from '../errors.js';

export type ExportFormat = 'dynamic' | 'fixed';

export interface ExportRequest {
  imageId: string;
  container: string;
  format: ExportFormat;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Reads an export task's input. `format` is this service's optional extension (default "dynamic"):
 * "fixed" writes a fixed VHD for consumers such as Azure that need one.
 */
export function parseExportInput(input: Record<string, unknown>): ExportRequest {
  const imageId = input['image_uuid'];
  const container = input['receiving_swift_container'];
  const format = input['format'] ?? 'dynamic';
  if (format !== 'dynamic' && format !== 'fixed') {
    throw new TaskFailedError(
      `Unsupported export format: ${String(format)}. Use "dynamic" or "fixed".`,
      `input.format is ${JSON.stringify(format)}`,
    );
  }
  return {
    imageId: typeof imageId === 'string' ? imageId : '',
    container: typeof container === 'string' ? container : '',
    format,
  };
}
