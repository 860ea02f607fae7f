import { Readable } from 'node:stream';
import { BAT_UNUSED, MAX_RANGE_READ, SECTOR_SIZE } from './constants.js';
import type { DynamicLayout } from './dynamic-layout.js';
import { inspectOrThrow } from './inspect-metadata.js';
import { type ReadRange, readExactly } from './range-reader.js';

export interface ReadVhdAsRawInput {
  size: number;
  readRange: ReadRange;
  /** Optional streaming read of object bytes [start, end) (end exclusive); used for fixed disks. */
  openBody?: (start: number, end: number) => Readable | AsyncIterable<Uint8Array>;
  /** Defaults to no limit: the reader serves images that were validated on import. */
  maxVirtualSize?: number;
}

/** Shared zero chunk for unallocated ranges; consumers must not write into yielded buffers. */
const ZEROS = Buffer.alloc(MAX_RANGE_READ);

/**
 * The virtual disk's raw content as a stream. Metadata is checked first (the stream errors
 * with VhdValidationError if it is bad). Dynamic disks are read block by block in virtual order
 * with ranged reads of at most 1 MiB; unallocated blocks come out as zeros.
 */
export function readVhdAsRaw(input: ReadVhdAsRawInput): Readable {
  return Readable.from(rawChunks(input), { objectMode: false, highWaterMark: MAX_RANGE_READ });
}

async function* rawChunks(input: ReadVhdAsRawInput): AsyncGenerator<Buffer> {
  const metadata = await inspectOrThrow({
    size: input.size,
    readRange: input.readRange,
    maxVirtualSize: input.maxVirtualSize ?? Number.POSITIVE_INFINITY,
  });
  if (!metadata.dynamic) {
    if (input.openBody) {
      for await (const chunk of input.openBody(0, metadata.virtualSize)) yield Buffer.from(chunk);
    } else {
      yield* rangeChunks(input.readRange, 0, metadata.virtualSize);
    }
    return;
  }
  yield* dynamicChunks(input.readRange, metadata.dynamic, metadata.virtualSize);
}

async function* rangeChunks(readRange: ReadRange, start: number, end: number): AsyncGenerator<Buffer> {
  for (let offset = start; offset < end; offset += MAX_RANGE_READ) {
    yield await readExactly(readRange, offset, Math.min(MAX_RANGE_READ, end - offset));
  }
}

function* zeroChunks(length: number): Generator<Buffer> {
  for (let done = 0; done < length; done += ZEROS.length)
    yield ZEROS.subarray(0, Math.min(ZEROS.length, length - done));
}

async function* dynamicChunks(readRange: ReadRange, layout: DynamicLayout, virtualSize: number) {
  const { blockSize, bitmapSize, bat } = layout;
  const blocks = Math.ceil(virtualSize / blockSize);
  for (let block = 0; block < blocks; block++) {
    const length = Math.min(blockSize, virtualSize - block * blockSize);
    const sector = bat[block] ?? BAT_UNUSED;
    if (sector === BAT_UNUSED) {
      yield* zeroChunks(length);
      continue;
    }
    const start = sector * SECTOR_SIZE;
    const bitmap = await readExactly(readRange, start, bitmapSize);
    const allPresent = bitmap.every((byte) => byte === 0xff);
    let inBlock = 0;
    for await (const chunk of rangeChunks(readRange, start + bitmapSize, start + bitmapSize + length)) {
      // Sectors the bitmap marks absent read as zeros (the spec's rule; validated images agree).
      if (!allPresent) zeroAbsentSectors(chunk, bitmap, inBlock);
      inBlock += chunk.length;
      yield chunk;
    }
  }
}

function zeroAbsentSectors(chunk: Buffer, bitmap: Buffer, offsetInBlock: number): void {
  for (let i = 0; i < chunk.length; i += SECTOR_SIZE) {
    const sector = (offsetInBlock + i) / SECTOR_SIZE;
    if (((bitmap[sector >> 3] ?? 0) & (0x80 >> (sector & 7))) === 0) chunk.fill(0, i, i + SECTOR_SIZE);
  }
}
