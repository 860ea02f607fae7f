import type { Readable } from 'node:stream';

/**
 * Re-chunks a byte stream into parts of exactly `partSize` bytes (the last may be shorter), alternating between
 * two buffers allocated once. Reuse is safe only if the consumer is done with part N before it asks for part N+2,
 * which is when part N's buffer is filled again (minio-multipart-upload.ts awaits each upload in time). Allocating
 * a fresh 16 MiB buffer per part instead lets several dead ones linger until the next GC, which showed as ~50 MiB
 * of extra peak RSS.
 *
 * The two buffers are only allocated once the stream holds more than a part: until then its chunks are kept as
 * they came (at most a part's worth), so a source smaller than a part costs its own size, not 2 × partSize. With
 * 16 MiB parts, small imports allocated 32 MiB each, and the garbage collector then took 18 % of a busy worker.
 */
export async function* partsOf(source: Readable, partSize: number): AsyncGenerator<Buffer> {
  const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      if (headBytes > 0) yield Buffer.concat(head, headBytes);
      return;
    }
    head.push(next.value);
    headBytes += next.value.length;
    if (headBytes >= partSize) break;
  }
  let part: Buffer = Buffer.allocUnsafe(partSize);
  let spare: Buffer | undefined;
  let filled = 0;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* head.splice(0);
    yield* rest;
  }
  for await (const chunk of chunks()) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(partSize - filled, chunk.length - offset);
      chunk.copy(part, filled, offset, offset + n);
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
  if (filled > 0) yield part.subarray(0, filled);
}
