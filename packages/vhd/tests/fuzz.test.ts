import { readFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RANGE_READ } from '../src/constants.js';
import {
  readVhdAsRaw,
  VHD_ERROR_CODES,
  VHD_ERROR_MESSAGES,
  type VhdValidationResult,
  validateVhdStream,
  vhdChecksum,
} from '../src/index.js';
import { chunkedBody, expectedAllocationMap } from './support/memory-source.js';
import { tinyDynamic, tinyFixed } from './support/synthetic.js';

/**
 * Random mutations of valid images: every run must end accepted or with exactly one known code,
 * quickly, reading only inside the object and never more than 1 MiB at a time.
 */
type Mutation =
  | { kind: 'byte'; region: number; at: number; value: number }
  | { kind: 'u32'; region: number; at: number; value: number }
  | { kind: 'resize'; delta: number }
  /** Overwrites a whole u32 field of the tail footer (target 0) or the dynamic header (target 1). */
  | { kind: 'field'; target: number; field: number; value: number };

const FOOTER_FIELDS = [8, 12, 16, 20, 44, 48, 52, 56, 60, 68, 84];
const HEADER_FIELDS = [16, 20, 24, 28, 32, 40, 56, 64, 576, 580, 584];
const INTERESTING = [0, 1, 2, 3, 4, 5, 0x10000, 0x1000, 0x200000, 0x7fffffff, 0xffffffff];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('byte' as const),
    region: fc.nat(4),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    region: fc.nat(4),
    at: fc.nat(),
    value: fc.oneof(fc.constant(0), fc.constant(0xffffffff), fc.nat({ max: 0xffffffff }), fc.nat(64)),
  }),
  fc.record({ kind: fc.constant('resize' as const), delta: fc.integer({ min: -5000, max: 5000 }) }),
  fc.record({
    kind: fc.constant('field' as const),
    target: fc.nat(1),
    field: fc.nat(10),
    value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 0xffffffff })),
  }),
);

/** Mutations favour the metadata: tail footer, footer copy, header, BAT, then anywhere. */
function regionRange(image: Buffer, region: number): [number, number] {
  const n = image.length;
  switch (region) {
    case 0:
      return [n - 512, n];
    case 1:
      return [0, 512];
    case 2:
      return [512, 1536];
    case 3:
      return [1536, 2048];
    default:
      return [0, n];
  }
}

function applyMutations(base: Buffer, mutations: Mutation[], fixChecksums: boolean): Buffer {
  let image = Buffer.from(base);
  for (const m of mutations) {
    if (m.kind === 'resize') {
      const size = Math.max(0, image.length + m.delta);
      image =
        size <= image.length
          ? image.subarray(0, size)
          : Buffer.concat([image, Buffer.alloc(size - image.length)]);
      continue;
    }
    if (m.kind === 'field') {
      const at =
        m.target === 0 ? image.length - 512 + FOOTER_FIELDS[m.field]! : 512 + HEADER_FIELDS[m.field]!;
      if (at >= 0 && at + 4 <= image.length) image.writeUInt32BE(m.value >>> 0, at);
      continue;
    }
    const [start, end] = regionRange(image, m.region);
    const width = m.kind === 'byte' ? 1 : 4;
    if (end - start < width) continue;
    const at = start + (m.at % (end - start - width + 1));
    if (m.kind === 'byte') image[at] = m.value;
    else image.writeUInt32BE(m.value >>> 0, at);
  }
  if (fixChecksums && image.length >= 2048) {
    // Re-sign footers and header so mutations reach the deeper rules.
    const tail = image.subarray(image.length - 512);
    tail.writeUInt32BE(vhdChecksum(tail, 64), 64);
    const head = image.subarray(0, 512);
    head.writeUInt32BE(vhdChecksum(head, 64), 64);
    const header = image.subarray(512, 1536);
    header.writeUInt32BE(vhdChecksum(header, 36), 36);
  }
  return image;
}

async function checkOne(image: Buffer, chunkSize: number): Promise<VhdValidationResult> {
  const stats = { maxLength: 0, totalBytes: 0 };
  const readRange = async (offset: number, length: number) => {
    if (!(offset >= 0 && length >= 0 && offset + length <= image.length)) {
      throw new Error(`read outside the object: ${offset}+${length} of ${image.length}`);
    }
    stats.maxLength = Math.max(stats.maxLength, length);
    stats.totalBytes += length;
    return image.subarray(offset, offset + length);
  };
  const result = await validateVhdStream({
    size: image.length,
    readRange,
    body: () => chunkedBody(image, chunkSize),
  });
  expect(stats.maxLength).toBeLessThanOrEqual(MAX_RANGE_READ);
  // Footer + copy + header + BAT (which must lie inside the object).
  expect(stats.totalBytes).toBeLessThanOrEqual(image.length + 2048);
  if (result.ok) {
    // Anything we accept must also be readable, and agree with its allocation map.
    const raw = await buffer(readVhdAsRaw({ size: image.length, readRange }));
    expect(raw.length).toBe(result.virtualSize);
    expect(result.allocationMap).toEqual(expectedAllocationMap(raw));
  } else {
    expect(VHD_ERROR_CODES).toContain(result.code);
    expect(result.message).toBe(VHD_ERROR_MESSAGES[result.code]);
    expect(typeof result.detail).toBe('string');
  }
  return result;
}

async function fuzz(base: () => Buffer, numRuns: number): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      fc.integer({ min: 1, max: 70_000 }),
      async (mutations, fixChecksums, chunkSize) => {
        const result = await checkOne(
          applyMutations(base(), mutations, fixChecksums),
          Math.max(chunkSize, 256),
        );
        const key = result.ok ? 'ok' : String(result.code);
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      },
    ),
    { numRuns, timeout: 5_000 },
  );
  return outcomes;
}

describe('fuzzed images', () => {
  const dir = new FixtureDir('vhd-test-');
  let qemuImage: Buffer;
  beforeAll(async () => {
    const path = await dir.make('fuzz.vhd', 'dynamic', '4M', [
      { offset: 3 * 1024 * 1024, length: 1024, pattern: 0x5e },
      { offset: 0, length: 512, pattern: 0x7f },
    ]);
    qemuImage = readFileSync(path);
  });
  afterAll(() => dir.remove());

  it('the unmutated bases are accepted', async () => {
    for (const image of [tinyDynamic(), tinyFixed(), qemuImage])
      expect((await checkOne(image, 1000)).ok).toBe(true);
  });

  it('tiny dynamic image: 2500 mutations', async () => {
    const outcomes = await fuzz(tinyDynamic, 2500);
    // The mutations must reach deep rules, not just break the footer checksum.
    for (const key of ['ok', '111', '396', '413', '523', '721'])
      expect(outcomes.get(key) ?? 0).toBeGreaterThan(0);
  });

  it('tiny fixed image: 1000 mutations', async () => {
    const outcomes = await fuzz(tinyFixed, 1000);
    for (const key of ['ok', '111', '396', '413', '523']) expect(outcomes.get(key) ?? 0).toBeGreaterThan(0);
  });

  it('qemu dynamic image: 200 mutations', async () => {
    const outcomes = await fuzz(() => qemuImage, 200);
    for (const key of ['ok', '111', '396']) expect(outcomes.get(key) ?? 0).toBeGreaterThan(0);
  });
});
