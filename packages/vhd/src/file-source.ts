import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { HashPool } from './hash-pool.js';
import type { ReadRange } from './range-reader.js';
import { type VhdValidationResult, validateVhdStream } from './validate-stream.js';

/** Streams read local files in 1 MiB chunks: fewer callbacks, same bounded memory. */
export const FILE_CHUNK_SIZE = 1024 * 1024;

/** A ReadRange over a local file; the caller closes it. */
export async function openFileRangeReader(path: string): Promise<{
  size: number;
  readRange: ReadRange;
  close: () => Promise<void>;
}> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const readRange: ReadRange = async (offset, length) => {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  };
  return { size, readRange, close: () => handle.close() };
}

/** Opens file bytes [start, end) as a stream (end exclusive). */
export function openFileBody(path: string, start = 0, end?: number) {
  return createReadStream(path, {
    start,
    ...(end === undefined ? {} : { end: end - 1 }),
    highWaterMark: FILE_CHUNK_SIZE,
  });
}

/** validateVhdStream over a local file. */
export async function validateVhdFile(
  path: string,
  options: { maxVirtualSize?: number; hashPool?: HashPool | null } = {},
): Promise<VhdValidationResult> {
  const source = await openFileRangeReader(path);
  try {
    return await validateVhdStream({
      size: source.size,
      readRange: source.readRange,
      body: () => openFileBody(path),
      ...options,
    });
  } finally {
    await source.close();
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
