import { type AllocationMap, createAllocationMap } from './allocation-map.js';
import { asBuffer } from './bytes.js';
import { ContentScanner } from './content-scanner.js';

/**
 * Builds the 2 MiB allocation map of a raw disk by reading it once. Used when the map was not
 * recorded at import (e.g. `vhd convert raw.img out.vhd --to dynamic`).
 */
export async function computeAllocationMap(
  raw: AsyncIterable<Uint8Array>,
  virtualSize: number,
): Promise<AllocationMap> {
  const map = createAllocationMap(virtualSize);
  const scanner = new ContentScanner(map, virtualSize, 0);
  let position = 0;
  for await (const chunk of raw) {
    const bytes = asBuffer(chunk);
    scanner.scanData(bytes, 0, bytes.length, position, position, 0);
    position += bytes.length;
  }
  if (position !== virtualSize) throw new Error(`raw source has ${position} bytes, expected ${virtualSize}`);
  return map;
}
