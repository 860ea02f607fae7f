import { isPowerOfTwo, roundUp } from './bytes.js';
import {
  BAT_ENTRIES_PER_SECTOR,
  BAT_UNUSED,
  DYNAMIC_HEADER_SIZE,
  FOOTER_SIZE,
  HEADER_VERSION,
  MAX_BAT_ENTRIES,
  MAX_BLOCK_SIZE,
  MAX_RANGE_READ,
  MIN_BLOCK_SIZE,
  SECTOR_SIZE,
} from './constants.js';
import { isIntactDynamicHeader, parseDynamicHeader } from './dynamic-header.js';
import { VhdValidationError } from './errors.js';
import { sectorBitmapSize } from './limits.js';
import { type ReadRange, readExactly } from './range-reader.js';

/** Everything the body pass and the reader need to know about a dynamic disk's layout. */
export interface DynamicLayout {
  headerOffset: number;
  headerBytes: Buffer;
  tableOffset: number;
  /** BAT length on disk, padded to whole sectors. */
  tableLength: number;
  maxTableEntries: number;
  blockSize: number;
  bitmapSize: number;
  /** Raw BAT: sector number of each block, BAT_UNUSED when absent. */
  bat: Uint32Array;
  /** Indices of allocated blocks, sorted by their offset in the file. */
  blocksInFileOrder: Uint32Array;
}

export interface DynamicLayoutInput {
  footerOffset: number;
  headerOffset: number;
  headerBytes: Buffer;
  /** Virtual sizes the BAT must be able to cover (current size, and the geometry size when real). */
  virtualSize: number;
  geometryVirtualSize: number;
  readRange: ReadRange;
}

function fault(detail: string): VhdValidationError {
  return new VhdValidationError(111, detail);
}

function rangesOverlap(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart < bEnd && bStart < aEnd;
}

/**
 * The dynamic-disk checks that give 111: header integrity, block size, table size, BAT placement
 * and every BAT entry. Lengths are bounds-checked before anything is allocated or read.
 */
export async function inspectDynamicLayout(input: DynamicLayoutInput): Promise<DynamicLayout> {
  const { footerOffset, headerOffset, headerBytes, virtualSize } = input;
  if (!isIntactDynamicHeader(headerBytes)) throw fault('dynamic header cookie or checksum is bad');
  const header = parseDynamicHeader(headerBytes);
  if (header.headerVersion !== HEADER_VERSION) {
    throw fault(`dynamic header version is 0x${header.headerVersion.toString(16)}`);
  }

  const { blockSize, maxTableEntries, tableOffset } = header;
  if (!isPowerOfTwo(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw fault(`block size ${blockSize} is not a power of two between 512 B and 256 MiB`);
  }
  if (maxTableEntries * blockSize < virtualSize) {
    throw fault(
      `max table entries ${maxTableEntries} × block size ${blockSize} < virtual size ${virtualSize}`,
    );
  }
  // Tools size the BAT for the current size (or, for old images, the geometry); allow one
  // sector of slack for writers that fill the BAT's last sector. More than that is a lie.
  const needed = Math.ceil(Math.max(virtualSize, input.geometryVirtualSize) / blockSize);
  const allowed = Math.min(roundUp(needed, BAT_ENTRIES_PER_SECTOR) + BAT_ENTRIES_PER_SECTOR, MAX_BAT_ENTRIES);
  if (maxTableEntries > MAX_BAT_ENTRIES) {
    throw fault(`max table entries ${maxTableEntries} is over the product cap of ${MAX_BAT_ENTRIES}`);
  }
  if (maxTableEntries > allowed) {
    throw fault(`max table entries ${maxTableEntries} is far more than the ${needed} the disk needs`);
  }

  const tableLength = roundUp(maxTableEntries * 4, SECTOR_SIZE);
  const tableEnd = tableOffset + tableLength;
  if (!Number.isSafeInteger(tableOffset) || tableOffset < FOOTER_SIZE || tableEnd > footerOffset) {
    throw fault(`BAT [${tableOffset}, ${tableEnd}) lies outside the file (footer at ${footerOffset})`);
  }
  const headerEnd = headerOffset + DYNAMIC_HEADER_SIZE;
  if (rangesOverlap(tableOffset, tableEnd, headerOffset, headerEnd)) {
    throw fault(`BAT [${tableOffset}, ${tableEnd}) overlaps the dynamic header at ${headerOffset}`);
  }

  const bat = await readBat(input.readRange, tableOffset, maxTableEntries);
  const bitmapSize = sectorBitmapSize(blockSize);
  const blockSpan = bitmapSize + blockSize;
  const metadata: Array<[number, number, string]> = [
    [0, FOOTER_SIZE, 'the footer copy'],
    [headerOffset, headerEnd, 'the dynamic header'],
    [tableOffset, tableEnd, 'the BAT'],
  ];

  let allocated = 0;
  for (let i = 0; i < bat.length; i++) {
    const sector = bat[i]!;
    if (sector === BAT_UNUSED) continue;
    const start = sector * SECTOR_SIZE;
    const end = start + blockSpan;
    for (const [mStart, mEnd, name] of metadata) {
      if (rangesOverlap(start, end, mStart, mEnd)) throw fault(`block ${i} at ${start} points into ${name}`);
    }
    if (end > footerOffset)
      throw fault(`block ${i} [${start}, ${end}) runs past the footer at ${footerOffset}`);
    allocated++;
  }

  const blocksInFileOrder = new Uint32Array(allocated);
  let n = 0;
  for (let i = 0; i < bat.length; i++) if (bat[i] !== BAT_UNUSED) blocksInFileOrder[n++] = i;
  blocksInFileOrder.sort((a, b) => bat[a]! - bat[b]!);
  for (let k = 1; k < blocksInFileOrder.length; k++) {
    const prev = blocksInFileOrder[k - 1]!;
    const cur = blocksInFileOrder[k]!;
    if (bat[prev]! * SECTOR_SIZE + blockSpan > bat[cur]! * SECTOR_SIZE) {
      throw fault(`blocks ${prev} and ${cur} overlap at sector ${bat[cur]}`);
    }
  }

  return {
    headerOffset,
    headerBytes,
    tableOffset,
    tableLength,
    maxTableEntries,
    blockSize,
    bitmapSize,
    bat,
    blocksInFileOrder,
  };
}

/** Reads the BAT in bounded slices; `entries` was capped before this is called. */
async function readBat(readRange: ReadRange, tableOffset: number, entries: number): Promise<Uint32Array> {
  const bat = new Uint32Array(entries);
  const totalBytes = entries * 4;
  for (let done = 0; done < totalBytes; ) {
    const length = Math.min(MAX_RANGE_READ, totalBytes - done);
    const bytes = await readExactly(readRange, tableOffset + done, length);
    for (let j = 0; j < length; j += 4) bat[(done + j) / 4] = bytes.readUInt32BE(j);
    done += length;
  }
  return bat;
}
