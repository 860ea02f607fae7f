import { SECTOR_SIZE } from './constants.js';
import { encodeFooter } from './footer.js';
import { chsGeometry, MAX_WRITABLE_VIRTUAL_SIZE } from './geometry.js';
import {
  randomUniqueId,
  vhdTimestamp,
  WRITER_CREATOR_APP,
  WRITER_CREATOR_HOST_OS,
  WRITER_CREATOR_VERSION,
} from './vhd-identity.js';

/** Sizes our writers can express: whole sectors, and small enough for a non-sentinel geometry. */
export function assertWritableVirtualSize(virtualSize: number): void {
  if (!Number.isSafeInteger(virtualSize) || virtualSize < 0 || virtualSize % SECTOR_SIZE !== 0) {
    throw new RangeError(`virtual size must be a non-negative multiple of 512, got ${virtualSize}`);
  }
  if (virtualSize > MAX_WRITABLE_VIRTUAL_SIZE) {
    throw new RangeError(`virtual size ${virtualSize} is beyond what a VHD geometry can describe`);
  }
}

export interface NewFooterOptions {
  currentSize: number;
  diskType: number;
  dataOffset: bigint;
  uniqueId?: Uint8Array;
}

/** A fresh footer: new UUID (unless given), spec geometry, creator `win `, checksum. */
export function newFooter(options: NewFooterOptions): Buffer {
  return encodeFooter({
    dataOffset: options.dataOffset,
    timestamp: vhdTimestamp(),
    creatorApp: WRITER_CREATOR_APP,
    creatorVersion: WRITER_CREATOR_VERSION,
    creatorHostOs: WRITER_CREATOR_HOST_OS,
    originalSize: options.currentSize,
    currentSize: options.currentSize,
    geometry: chsGeometry(options.currentSize),
    diskType: options.diskType,
    uniqueId: options.uniqueId ?? randomUniqueId(),
  });
}
