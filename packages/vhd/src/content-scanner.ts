import {
  ALLOCATION_GRANULE,
  type AllocationMap,
  isGranuleAllocated,
  markGranuleAllocated,
} from './allocation-map.js';
import { isAllZero } from './bytes.js';
import { SECTOR_SIZE } from './constants.js';
import { VhdValidationError } from './errors.js';

/**
 * Looks at disk content as it streams past: marks 2 MiB granules that hold non-zero bytes, and
 * (dynamic disks) enforces that sectors the block's bitmap marks absent are zero. Readers
 * disagree on such sectors (qemu returns the stored bytes, Hyper-V returns zeros), so an image
 * with non-zero absent sectors has no single content and is rejected with 111.
 */
export class ContentScanner {
  private readonly bitmap: Uint8Array;
  /** True when the current block's bitmap marks every sector present (qemu always writes this). */
  private allPresent = true;

  constructor(
    private readonly map: AllocationMap,
    private readonly virtualSize: number,
    bitmapSize: number,
  ) {
    this.bitmap = new Uint8Array(bitmapSize);
  }

  takeBitmap(chunk: Uint8Array, from: number, to: number, offsetInBitmap: number, _block: number): void {
    this.bitmap.set(chunk.subarray(from, to), offsetInBitmap);
    if (offsetInBitmap + (to - from) === this.bitmap.length) {
      this.allPresent = this.bitmap.every((byte) => byte === 0xff);
    }
  }

  /** chunk[from, to) holds virtual bytes starting at `virtualOffset`, `offsetInBlock` into its block. */
  scanData(
    chunk: Uint8Array,
    from: number,
    to: number,
    virtualOffset: number,
    offsetInBlock: number,
    block: number,
  ): void {
    if (virtualOffset >= this.virtualSize) return; // the last block's tail past the disk's end
    const stopAt = Math.min(to, from + (this.virtualSize - virtualOffset));
    let i = from;
    let v = virtualOffset;
    while (i < stopAt) {
      const granule = Math.floor(v / ALLOCATION_GRANULE);
      const stop = Math.min(stopAt, i + ((granule + 1) * ALLOCATION_GRANULE - v));
      if (!isGranuleAllocated(this.map, granule) && !isAllZero(chunk, i, stop)) {
        markGranuleAllocated(this.map, granule);
      }
      v += stop - i;
      i = stop;
    }
    if (!this.allPresent) this.checkAbsentSectors(chunk, from, stopAt, offsetInBlock, block);
  }

  private checkAbsentSectors(
    chunk: Uint8Array,
    from: number,
    to: number,
    offsetInBlock: number,
    block: number,
  ) {
    let i = from;
    let inBlock = offsetInBlock;
    while (i < to) {
      const sector = Math.floor(inBlock / SECTOR_SIZE);
      const stop = Math.min(to, i + ((sector + 1) * SECTOR_SIZE - inBlock));
      const present = ((this.bitmap[sector >> 3] ?? 0) & (0x80 >> (sector & 7))) !== 0;
      if (!present && !isAllZero(chunk, i, stop)) {
        throw new VhdValidationError(
          111,
          `block ${block} sector ${sector} is marked absent in the sector bitmap but holds data`,
        );
      }
      inBlock += stop - i;
      i = stop;
    }
  }
}
