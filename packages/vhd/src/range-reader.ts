import { asBuffer } from './bytes.js';
import { VhdValidationError } from './errors.js';

/** Reads `length` bytes at `offset` of the object (an S3 ranged GET, a file read, …). */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Calls readRange and insists on exactly `length` bytes. The caller already bounds-checked the
 * range against the declared size, so a short answer means the object is not what its size says.
 */
export async function readExactly(readRange: ReadRange, offset: number, length: number): Promise<Buffer> {
  const bytes = asBuffer(await readRange(offset, length));
  if (bytes.length < length) {
    throw new VhdValidationError(
      111,
      `ranged read at ${offset} returned ${bytes.length} of ${length} bytes; object is shorter than its size`,
    );
  }
  return bytes.length === length ? bytes : bytes.subarray(0, length);
}
