import type { Readable } from 'node:stream';

/**
 * Re-chunks a byte stream into parts of exactly `partSize` bytes (the last may be shorter), alternating between
 * two buffers allocated once. Reuse is safe only if the consumer is done with part N before it asks for part N+2,
 * which is when part N's buffer is filled again (minio-multipart-upload.ts awaits each upload in time). Allocating
 * a fresh 16 MiB buffer per part instead lets several dead ones linger until the next GC, which showed as ~50 MiB
 * of extra peak RSS.
 */
export async function* partsOf(source: Readable, partSize: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(partSize);
  let spare = Buffer.allocUnsafe(partSize);
  let filled = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(partSize - filled, chunk.length - offset);
      chunk.copy(part, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === partSize) {
        yield part;
        [part, spare] = [spare, part];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}
