import type { Readable } from 'node:stream';

/**
 * Re-chunks a byte stream into parts of exactly `partSize` bytes (the last may be shorter), alternating between
 * two buffers allocated once. Reuse is safe only if the consumer is done with part N before it asks for part N+2,
 * which is when part N's buffer is filled again (minio-multipart-upload.ts awaits each upload in time). Allocating
 * a fresh 16 MiB buffer per part instead lets several dead ones linger until the next GC, which showed as ~50 MiB
 * of extra peak RSS.
 *
 * The buffers are only allocated once the stream holds a whole part: until then its chunks are kept as they came
 * (less than a part's worth), so a source smaller than a part costs its own size, not 2 × partSize. With 16 MiB
 * parts, small imports allocated 32 MiB each, and the garbage collector then took 18 % of a busy worker.
 */
export async function* partsOf(source: Readable, partSize: number): AsyncGenerator<Buffer> {
  const held: Buffer[] = [];
  let heldBytes = 0;
  let part: Buffer | undefined;
  let spare: Buffer | undefined;
  let filled = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (part === undefined) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < partSize) continue;
      part = Buffer.allocUnsafe(partSize);
    }
    for (const piece of held.length > 0 ? held.splice(0) : [chunk]) {
      let offset = 0;
      while (offset < piece.length) {
        const n = Math.min(partSize - filled, piece.length - offset);
        piece.copy(part, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === partSize) {
          yield part;
          spare ??= Buffer.allocUnsafe(partSize);
          [part, spare] = [spare, part];
          filled = 0;
        }
      }
    }
  }
  if (part === undefined) {
    if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
  } else if (filled > 0) {
    yield part.subarray(0, filled);
  }
}
