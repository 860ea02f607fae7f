import { randomUUID } from 'node:crypto';
import { VHD_EPOCH_OFFSET_SECONDS } from './constants.js';

/**
 * What our writers put in the footer's creator fields. qemu sizes disks by CHS geometry for
 * unknown creators, which rounds down and would truncate the disk; for `win ` it uses the
 * current size, like Hyper-V and Azure do. So we write `win `/`Wi2k`, the most widely known
 * creator that every reader sizes by current size.
 */
export const WRITER_CREATOR_APP = 'win ';
export const WRITER_CREATOR_VERSION = 0x000a0000;
export const WRITER_CREATOR_HOST_OS = 'Wi2k';

export function randomUniqueId(): Uint8Array {
  return new Uint8Array(Buffer.from(randomUUID().replaceAll('-', ''), 'hex'));
}

export function vhdTimestamp(date: Date = new Date()): number {
  return Math.max(0, Math.floor(date.getTime() / 1000) - VHD_EPOCH_OFFSET_SECONDS) >>> 0;
}
