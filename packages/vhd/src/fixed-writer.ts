import { Transform, type TransformCallback } from 'node:stream';
import { roundUp } from './bytes.js';
import { DISK_TYPE_FIXED, FOOTER_SIZE, MAX_RANGE_READ, MIB } from './constants.js';
import { assertWritableVirtualSize, newFooter } from './writer-common.js';

export interface FixedVhdWriterOptions {
  /** Bytes of raw input; the disk is padded with zeros up to the next whole MiB. */
  virtualSize: number;
  uniqueId?: Uint8Array;
}

/** Azure and friends require a fixed VHD's size to be a whole number of MiB. */
export function fixedVhdCurrentSize(virtualSize: number): number {
  return roundUp(virtualSize, MIB);
}

export function fixedVhdSize(virtualSize: number): number {
  return fixedVhdCurrentSize(virtualSize) + FOOTER_SIZE;
}

/** raw → fixed VHD: the raw bytes, zero padding to a whole MiB, then the footer. */
export function createFixedVhdWriter(options: FixedVhdWriterOptions): Transform {
  const { virtualSize } = options;
  if (!Number.isSafeInteger(virtualSize) || virtualSize < 0) {
    throw new RangeError(`virtual size must be a byte count, got ${virtualSize}`);
  }
  const currentSize = fixedVhdCurrentSize(virtualSize);
  assertWritableVirtualSize(currentSize);
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > virtualSize) {
        callback(new Error(`raw input is longer than the virtual size ${virtualSize}`));
        return;
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (received !== virtualSize) {
        callback(new Error(`raw input ended at ${received} of ${virtualSize} bytes`));
        return;
      }
      for (let pad = currentSize - virtualSize; pad > 0; pad -= MAX_RANGE_READ) {
        this.push(Buffer.alloc(Math.min(pad, MAX_RANGE_READ)));
      }
      this.push(
        newFooter({
          currentSize,
          diskType: DISK_TYPE_FIXED,
          dataOffset: 0xffffffffffffffffn,
          uniqueId: options.uniqueId,
        }),
      );
      callback();
    },
  });
}
