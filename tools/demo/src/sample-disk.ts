import { Readable } from 'node:stream';
import {
  ALLOCATION_GRANULE,
  createAllocationMap,
  createDynamicVhdWriter,
  dynamicVhdSize,
  markGranuleAllocated,
} from '@cloud-images/vhd';

/** A 64 MiB disk with recognisable data in three 2 MiB granules, the rest sparse. */
const VIRTUAL_SIZE = 64 * 1024 * 1024;
const DATA_GRANULES = [0, 5, 31];

function rawDisk(): Readable {
  let granule = 0;
  return new Readable({
    read() {
      if (granule * ALLOCATION_GRANULE >= VIRTUAL_SIZE) return this.push(null);
      const chunk = Buffer.alloc(ALLOCATION_GRANULE);
      if (DATA_GRANULES.includes(granule)) chunk.fill(`cloud-images demo granule ${granule}\n`);
      granule++;
      this.push(chunk);
    },
  });
}

/** A dynamic VHD made by our own writer, streamed: nothing is held in memory beyond one granule. */
export function sampleDynamicVhd(): { stream: Readable; size: number; virtualSize: number } {
  const map = createAllocationMap(VIRTUAL_SIZE);
  for (const granule of DATA_GRANULES) markGranuleAllocated(map, granule);
  const stream = rawDisk().pipe(createDynamicVhdWriter({ virtualSize: VIRTUAL_SIZE, allocationMap: map }));
  return { stream, size: dynamicVhdSize(VIRTUAL_SIZE, map), virtualSize: VIRTUAL_SIZE };
}
