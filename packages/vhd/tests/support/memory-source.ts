import { Readable } from 'node:stream';
import { validateVhdStream } from '../../src/index.js';

/** An in-memory object with a ReadRange that records what it was asked for. */
export function memorySource(bytes: Buffer) {
  const stats = { calls: 0, maxLength: 0, totalBytes: 0 };
  const readRange = async (offset: number, length: number) => {
    stats.calls++;
    stats.maxLength = Math.max(stats.maxLength, length);
    stats.totalBytes += length;
    return bytes.subarray(offset, offset + length);
  };
  return { size: bytes.length, readRange, stats };
}

/** The buffer as a stream of `chunkSize` pieces (odd sizes exercise region boundaries). */
export function chunkedBody(bytes: Buffer, chunkSize = 65536): Readable {
  function* pieces() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  return Readable.from(pieces(), { objectMode: false });
}

export function validateBuffer(bytes: Buffer, options: { maxVirtualSize?: number; chunkSize?: number } = {}) {
  const source = memorySource(bytes);
  return validateVhdStream({
    size: source.size,
    readRange: source.readRange,
    body: () => chunkedBody(bytes, options.chunkSize),
    maxVirtualSize: options.maxVirtualSize,
  });
}

/** Independent reference for the allocation map: scan each 2 MiB of the raw disk. */
export function expectedAllocationMap(raw: Buffer): Uint8Array {
  const granule = 2 * 1024 * 1024;
  const count = Math.ceil(raw.length / granule);
  const map = new Uint8Array(Math.ceil(count / 8));
  for (let g = 0; g < count; g++) {
    const slice = raw.subarray(g * granule, Math.min(raw.length, (g + 1) * granule));
    if (slice.some((b) => b !== 0)) map[g >> 3] = map[g >> 3]! | (0x80 >> (g & 7));
  }
  return map;
}
