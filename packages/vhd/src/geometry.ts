import { SECTOR_SIZE, SENTINEL_CYLINDERS, SENTINEL_HEADS, SENTINEL_SECTORS_PER_TRACK } from './constants.js';

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/** Total sectors the spec's CHS can express; at or beyond it the algorithm yields the sentinel. */
const MAX_CHS_SECTORS = SENTINEL_CYLINDERS * SENTINEL_HEADS * SENTINEL_SECTORS_PER_TRACK;

/** Largest virtual size whose geometry is not the 65535/16/255 sentinel (about 127 GiB). */
export const MAX_WRITABLE_VIRTUAL_SIZE = (MAX_CHS_SECTORS - 1) * SECTOR_SIZE;

export function isSentinelGeometry(g: Geometry): boolean {
  return (
    g.cylinders === SENTINEL_CYLINDERS &&
    g.heads === SENTINEL_HEADS &&
    g.sectorsPerTrack === SENTINEL_SECTORS_PER_TRACK
  );
}

export function geometrySize(g: Geometry): number {
  return g.cylinders * g.heads * g.sectorsPerTrack * SECTOR_SIZE;
}

/**
 * CHS from the Microsoft VHD specification (appendix "CHS Calculation"). Integer division
 * throughout, so C×H×S×512 never exceeds the virtual size. Callers must keep the size below
 * MAX_WRITABLE_VIRTUAL_SIZE + 512 so the result is never the sentinel.
 */
export function chsGeometry(virtualSize: number): Geometry {
  let totalSectors = Math.floor(virtualSize / SECTOR_SIZE);
  if (totalSectors > MAX_CHS_SECTORS) totalSectors = MAX_CHS_SECTORS;

  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.floor((cylinderTimesHeads + 1023) / 1024);
    if (heads < 4) heads = 4;
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}
