import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { partsOf } from './multipart-parts.js';

const PART = 1024 * 1024;

async function collect(chunks: Buffer[], partSize: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  // Copied: the part buffers are reused two parts later.
  for await (const part of partsOf(Readable.from(chunks), partSize)) parts.push(Buffer.from(part));
  return parts;
}

const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));

describe('partsOf', () => {
  it('re-chunks a stream into full parts and a shorter last one, bytes in order', async () => {
    const chunks = [bytes(700_000, 1), bytes(900_000, 2), bytes(1_000_000, 3)];
    const parts = await collect(chunks, PART);
    expect(parts.map((p) => p.length)).toEqual([PART, PART, 2_600_000 - 2 * PART]);
    expect(Buffer.concat(parts).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('yields nothing for an empty stream, and exactly one part for a stream of exactly one part', async () => {
    expect(await collect([], PART)).toEqual([]);
    const parts = await collect([bytes(PART / 2, 4), bytes(PART / 2, 5)], PART);
    expect(parts.map((p) => p.length)).toEqual([PART]);
  });

  it('does not allocate a part buffer for a source smaller than a part', async () => {
    const small = [bytes(3000, 6), bytes(1608, 7)];
    const parts: Buffer[] = [];
    for await (const part of partsOf(Readable.from(small), 16 * PART)) parts.push(part);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.equals(Buffer.concat(small))).toBe(true);
    // The memory behind it is the source's size, not a 16 MiB part buffer.
    expect(parts[0]!.buffer.byteLength).toBeLessThan(64 * 1024);
  });
});
