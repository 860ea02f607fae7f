import { inspectVhdMetadata, openFileRangeReader, type VhdMetadata } from '@cloud-images/vhd';
import { CliError } from './errors.js';

/**
 * The import's metadata checks (footer, header, BAT) run on the local file before anything is uploaded, so a bad
 * disk fails in a second with the same Rackspace code and message the service would give (`396: …`). Body errors
 * such as 111 need every block read and still come back from the server's task.
 */
export async function checkVhdLocally(path: string): Promise<VhdMetadata> {
  let source: Awaited<ReturnType<typeof openFileRangeReader>>;
  try {
    source = await openFileRangeReader(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const result = await inspectVhdMetadata(source);
    if (!result.ok) throw new CliError(result.message);
    return result.metadata;
  } finally {
    await source.close();
  }
}
