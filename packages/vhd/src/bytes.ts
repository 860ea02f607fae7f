/** Small byte helpers shared by the parsers, the verifier and the writers. */

const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a u64 as a JS number. Values beyond 2^53 become +Infinity so that every later bounds
 * check fails safely instead of working on a rounded value.
 */
export function readU64(view: Buffer, offset: number): number {
  const value = view.readBigUInt64BE(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
}

export function isAllZero(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  const buf = asBuffer(bytes);
  // Buffer.compare is a memcmp in C++; far faster than a JS byte loop for multi-MiB scans.
  for (let pos = start; pos < end; pos += ZERO_CHUNK.length) {
    const stop = Math.min(end, pos + ZERO_CHUNK.length);
    if (buf.compare(ZERO_CHUNK, 0, stop - pos, pos, stop) !== 0) return false;
  }
  return true;
}

export function formatUuid(bytes: Uint8Array): string {
  const hex = asBuffer(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

export function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;
}
