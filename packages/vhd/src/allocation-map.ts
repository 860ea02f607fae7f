/**
 * The allocation map: one bit per 2 MiB of the VIRTUAL disk, set when that range holds a
 * non-zero byte. It is independent of the source's type and block size so that the dynamic
 * writer (2 MiB blocks) can use it directly. Bits are MSB-first, like VHD sector bitmaps:
 * bit i lives in byte i >> 3 under mask 0x80 >> (i & 7). Padding bits in the last byte are 0.
 */
export const ALLOCATION_GRANULE = 2 * 1024 * 1024;

export type AllocationMap = Uint8Array;

export function allocationGranuleCount(virtualSize: number): number {
  return Math.ceil(virtualSize / ALLOCATION_GRANULE);
}

export function allocationMapByteLength(virtualSize: number): number {
  return Math.ceil(allocationGranuleCount(virtualSize) / 8);
}

export function createAllocationMap(virtualSize: number): AllocationMap {
  return new Uint8Array(allocationMapByteLength(virtualSize));
}

export function isGranuleAllocated(map: AllocationMap, index: number): boolean {
  return ((map[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

export function markGranuleAllocated(map: AllocationMap, index: number): void {
  const byte = index >> 3;
  if (byte >= map.length) throw new RangeError(`granule ${index} is outside the allocation map`);
  map[byte] = map[byte]! | (0x80 >> (index & 7));
}

export function countAllocatedGranules(map: AllocationMap): number {
  let count = 0;
  for (const byte of map) {
    let b = byte;
    while (b) {
      b &= b - 1;
      count++;
    }
  }
  return count;
}

/** For Postgres storage: plain base64 of the bitmap bytes. */
export function encodeAllocationMap(map: AllocationMap): string {
  return Buffer.from(map.buffer, map.byteOffset, map.byteLength).toString('base64');
}

/** Inverse of encodeAllocationMap; checks the length when the virtual size is given. */
export function decodeAllocationMap(base64: string, virtualSize?: number): AllocationMap {
  const map = new Uint8Array(Buffer.from(base64, 'base64'));
  if (virtualSize !== undefined && map.length !== allocationMapByteLength(virtualSize)) {
    throw new RangeError(
      `allocation map has ${map.length} bytes, expected ${allocationMapByteLength(virtualSize)} for ${virtualSize} bytes`,
    );
  }
  return map;
}
