import { Transform, type TransformCallback } from 'node:stream';
import {
  ALLOCATION_GRANULE,
  type AllocationMap,
  allocationGranuleCount,
  allocationMapByteLength,
  isGranuleAllocated,
} from './allocation-map.js';
import { isAllZero, roundUp } from './bytes.js';
import { BAT_UNUSED, DISK_TYPE_DYNAMIC, DYNAMIC_HEADER_SIZE, FOOTER_SIZE, SECTOR_SIZE } from './constants.js';
import { encodeDynamicHeader } from './dynamic-header.js';
import { sectorBitmapSize } from './limits.js';
import { assertWritableVirtualSize, newFooter } from './writer-common.js';

/** Our dynamic VHDs use 2 MiB blocks, so one block is exactly one allocation-map granule. */
const BLOCK_SIZE = ALLOCATION_GRANULE;
const BITMAP_SIZE = sectorBitmapSize(BLOCK_SIZE);
const HEADER_OFFSET = FOOTER_SIZE;
const TABLE_OFFSET = HEADER_OFFSET + DYNAMIC_HEADER_SIZE;

export interface DynamicVhdWriterOptions {
  virtualSize: number;
  /** Which 2 MiB granules hold data; only those become blocks. */
  allocationMap: AllocationMap;
  uniqueId?: Uint8Array;
}

function tableLength(virtualSize: number): number {
  return roundUp(allocationGranuleCount(virtualSize) * 4, SECTOR_SIZE);
}

function allocatedBlocks(virtualSize: number, map: AllocationMap): number {
  let count = 0;
  for (let g = 0; g < allocationGranuleCount(virtualSize); g++) if (isGranuleAllocated(map, g)) count++;
  return count;
}

function assertMapFits(virtualSize: number, map: AllocationMap): void {
  assertWritableVirtualSize(virtualSize);
  if (map.length !== allocationMapByteLength(virtualSize)) {
    throw new RangeError(
      `allocation map has ${map.length} bytes; ${virtualSize} bytes need ${allocationMapByteLength(virtualSize)}`,
    );
  }
}

/** The exact output length of createDynamicVhdWriter, known before any data flows. */
export function dynamicVhdSize(virtualSize: number, allocationMap: AllocationMap): number {
  assertMapFits(virtualSize, allocationMap);
  const blocks = allocatedBlocks(virtualSize, allocationMap);
  return TABLE_OFFSET + tableLength(virtualSize) + blocks * (BITMAP_SIZE + BLOCK_SIZE) + FOOTER_SIZE;
}

/** Footer copy, dynamic header and BAT: blocks follow in virtual order right after the BAT. */
function dynamicPrologue(virtualSize: number, map: AllocationMap, footer: Buffer): Buffer {
  const entries = allocationGranuleCount(virtualSize);
  const batBytes = tableLength(virtualSize);
  const header = encodeDynamicHeader({
    tableOffset: TABLE_OFFSET,
    maxTableEntries: entries,
    blockSize: BLOCK_SIZE,
  });
  const bat = Buffer.alloc(batBytes, 0xff);
  let nextSector = (TABLE_OFFSET + batBytes) / SECTOR_SIZE;
  for (let g = 0; g < entries; g++) {
    if (!isGranuleAllocated(map, g)) continue;
    bat.writeUInt32BE(nextSector, g * 4);
    nextSector += (BITMAP_SIZE + BLOCK_SIZE) / SECTOR_SIZE;
  }
  if (nextSector > BAT_UNUSED) throw new RangeError('dynamic VHD too large for 32-bit sector numbers');
  return Buffer.concat([footer, header, bat]);
}

/**
 * raw → dynamic VHD in one pass. Granules the map marks empty are dropped, and must be zero:
 * the stream errors if the source has data there (a stale or wrong map would lose data).
 */
export function createDynamicVhdWriter(options: DynamicVhdWriterOptions): Transform {
  const { virtualSize, allocationMap: map } = options;
  assertMapFits(virtualSize, map);
  const footer = newFooter({
    currentSize: virtualSize,
    diskType: DISK_TYPE_DYNAMIC,
    dataOffset: BigInt(HEADER_OFFSET),
    uniqueId: options.uniqueId,
  });
  const bitmap = Buffer.alloc(BITMAP_SIZE, 0xff); // qemu-style: every sector present
  let prologueSent = false;
  let position = 0;

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (!prologueSent) {
        this.push(dynamicPrologue(virtualSize, map, footer));
        prologueSent = true;
      }
      if (position + chunk.length > virtualSize) {
        callback(new Error(`raw input is longer than the virtual size ${virtualSize}`));
        return;
      }
      let i = 0;
      while (i < chunk.length) {
        const granule = Math.floor(position / BLOCK_SIZE);
        const stop = Math.min(chunk.length, i + ((granule + 1) * BLOCK_SIZE - position));
        if (isGranuleAllocated(map, granule)) {
          if (position % BLOCK_SIZE === 0) this.push(bitmap);
          this.push(chunk.subarray(i, stop));
        } else if (!isAllZero(chunk, i, stop)) {
          callback(
            new Error(
              `source has data at ${position} in 2 MiB granule ${granule}, which the allocation map marks empty`,
            ),
          );
          return;
        }
        position += stop - i;
        i = stop;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!prologueSent) this.push(dynamicPrologue(virtualSize, map, footer));
      if (position !== virtualSize) {
        callback(new Error(`raw input ended at ${position} of ${virtualSize} bytes`));
        return;
      }
      const tail = virtualSize % BLOCK_SIZE;
      const lastGranule = allocationGranuleCount(virtualSize) - 1;
      if (tail !== 0 && isGranuleAllocated(map, lastGranule)) this.push(Buffer.alloc(BLOCK_SIZE - tail));
      this.push(footer);
      callback();
    },
  });
}
