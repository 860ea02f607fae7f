import { roundUp } from './bytes.js';
import { DEFAULT_BLOCK_SIZE, DYNAMIC_HEADER_SIZE, FOOTER_SIZE, SECTOR_SIZE } from './constants.js';

/**
 * Rule 609's physical limit: the file size of a fully allocated dynamic VHD (2 MiB blocks, the
 * default of Hyper-V, Virtual PC and qemu) at the virtual limit. A fixed disk at the limit is
 * smaller still, so every legitimate disk at the limit passes.
 */
export function physicalSizeLimit(maxVirtualSize: number): number {
  const entries = Math.ceil(maxVirtualSize / DEFAULT_BLOCK_SIZE);
  const bat = roundUp(entries * 4, SECTOR_SIZE);
  return FOOTER_SIZE + DYNAMIC_HEADER_SIZE + bat + entries * (SECTOR_SIZE + DEFAULT_BLOCK_SIZE) + FOOTER_SIZE;
}

/** Bytes of the sector bitmap in front of each block: one bit per sector, padded to a sector. */
export function sectorBitmapSize(blockSize: number): number {
  return roundUp(Math.ceil(blockSize / SECTOR_SIZE / 8), SECTOR_SIZE);
}
