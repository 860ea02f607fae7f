import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { FixtureDir, makeVhd, qemuRawBytes, qemuVirtualSize } from '@cloud-images/vhd-fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import {
  computeAllocationMap,
  createAllocationMap,
  createDynamicVhdWriter,
  createFixedVhdWriter,
  dynamicVhdSize,
  fixedVhdSize,
  markGranuleAllocated,
  openFileBody,
  openFileRangeReader,
  parseFooter,
  readVhdAsRaw,
  validateVhdFile,
} from '../src/index.js';
import { chunkedBody, expectedAllocationMap, memorySource } from './support/memory-source.js';

const MiB = 1024 * 1024;
const dir = new FixtureDir('vhd-test-');
afterAll(() => dir.remove());

/** A raw disk with random data at a few offsets, including a granule's last sector. */
function sampleRaw(size: number): Buffer {
  const raw = Buffer.alloc(size);
  for (const [offset, length] of [
    [0, 4096],
    [5 * MiB - 512, 512],
    [size - 3 * MiB, 1536],
  ] as const) {
    if (offset >= 0 && offset + length <= size) randomBytes(length).copy(raw, offset);
  }
  return raw;
}

async function writeThrough(raw: Buffer, writer: NodeJS.ReadWriteStream, path: string): Promise<void> {
  await pipeline(chunkedBody(raw, 300_000), writer, createWriteStream(path));
}

describe.each([
  ['whole granules', 16 * MiB],
  ['a partial last granule', 13 * MiB + 512],
])('our writers on a raw disk with %s', (name, size) => {
  const raw = sampleRaw(size);
  const slug = name.replaceAll(' ', '-');

  it('dynamic: qemu reads back the same bytes, our validator accepts it', async () => {
    const path = dir.file(`${slug}.dynamic.vhd`);
    const allocationMap = await computeAllocationMap(chunkedBody(raw), size);
    expect(allocationMap).toEqual(expectedAllocationMap(raw));
    await writeThrough(raw, createDynamicVhdWriter({ virtualSize: size, allocationMap }), path);
    const written = readFileSync(path);
    expect(written.length).toBe(dynamicVhdSize(size, allocationMap));
    expect(await qemuVirtualSize(path)).toBe(size);
    expect((await qemuRawBytes(path, `${path}.raw`)).equals(raw)).toBe(true);
    const result = await validateVhdFile(path);
    expect(result).toMatchObject({ ok: true, diskType: 'dynamic', virtualSize: size, creatorApp: 'win ' });
    if (result.ok) expect(result.allocationMap).toEqual(allocationMap);
    const footer = parseFooter(written.subarray(written.length - 512));
    const { cylinders, heads, sectorsPerTrack } = footer.geometry;
    expect(cylinders * heads * sectorsPerTrack * 512).toBeLessThanOrEqual(size);
  });

  it('fixed: qemu reads back the bytes padded to a whole MiB', async () => {
    const path = dir.file(`${slug}.fixed.vhd`);
    await writeThrough(raw, createFixedVhdWriter({ virtualSize: size }), path);
    const padded = Math.ceil(size / MiB) * MiB;
    expect(readFileSync(path).length).toBe(fixedVhdSize(size));
    expect(await qemuVirtualSize(path)).toBe(padded);
    const back = await qemuRawBytes(path, `${path}.raw`);
    expect(back.subarray(0, size).equals(raw)).toBe(true);
    expect(back.subarray(size).every((b) => b === 0)).toBe(true);
    expect(await validateVhdFile(path)).toMatchObject({ ok: true, diskType: 'fixed', virtualSize: padded });
  });
});

describe('our writers', () => {
  it('write a fresh unique id each time', async () => {
    const map = createAllocationMap(2 * MiB);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const out = await buffer(
        chunkedBody(Buffer.alloc(2 * MiB)).pipe(
          createDynamicVhdWriter({ virtualSize: 2 * MiB, allocationMap: map }),
        ),
      );
      ids.add(out.subarray(out.length - 512 + 68, out.length - 512 + 84).toString('hex'));
    }
    expect(ids.size).toBe(3);
  });

  it('dynamic writer refuses data in a granule the map says is empty', async () => {
    const raw = Buffer.alloc(4 * MiB);
    raw[3 * MiB] = 1;
    const allocationMap = createAllocationMap(raw.length);
    markGranuleAllocated(allocationMap, 0);
    const writer = createDynamicVhdWriter({ virtualSize: raw.length, allocationMap });
    await expect(buffer(chunkedBody(raw).pipe(writer))).rejects.toThrow(/marks empty/);
  });

  it('refuse raw input of the wrong length', async () => {
    const map = createAllocationMap(4 * MiB);
    await expect(
      buffer(
        chunkedBody(Buffer.alloc(2 * MiB)).pipe(
          createDynamicVhdWriter({ virtualSize: 4 * MiB, allocationMap: map }),
        ),
      ),
    ).rejects.toThrow(/ended at/);
    await expect(
      buffer(chunkedBody(Buffer.alloc(3 * MiB)).pipe(createFixedVhdWriter({ virtualSize: 2 * MiB }))),
    ).rejects.toThrow(/longer/);
  });

  it('reject sizes they cannot describe', () => {
    expect(() => createFixedVhdWriter({ virtualSize: -1 })).toThrow(RangeError);
    expect(() => createFixedVhdWriter({ virtualSize: 200 * 1024 * MiB })).toThrow(RangeError);
    expect(() => dynamicVhdSize(1000, new Uint8Array(1))).toThrow(RangeError);
    expect(() => dynamicVhdSize(4 * MiB, new Uint8Array(5))).toThrow(RangeError);
  });
});

describe.each([
  ['dynamic', false],
  ['dynamic', true],
  ['fixed', false],
  ['fixed', true],
] as const)('our reader on a qemu %s image (force_size %s)', (subformat, forceSize) => {
  it('gives the same bytes as qemu-img convert', async () => {
    const path = await makeVhd(dir.file(`reader-${subformat}-${forceSize}.vhd`), {
      subformat,
      size: '12M',
      forceSize,
      writes: [
        { offset: 10 * MiB, length: 8192, pattern: 0xee },
        { offset: 4096, length: 3 * MiB, pattern: 0x21 },
      ],
    });
    const expected = await qemuRawBytes(path, `${path}.raw`);
    const image = readFileSync(path);
    const source = memorySource(image);
    const viaRanges = await buffer(readVhdAsRaw(source));
    expect(viaRanges.equals(expected)).toBe(true);
    expect(source.stats.maxLength).toBeLessThanOrEqual(MiB);

    const file = await openFileRangeReader(path);
    try {
      const viaBody = await buffer(
        readVhdAsRaw({ ...file, openBody: (start, end) => openFileBody(path, start, end) }),
      );
      expect(viaBody.equals(expected)).toBe(true);
    } finally {
      await file.close();
    }
  });
});

describe('reader', () => {
  it('reads absent sectors as zeros', async () => {
    const path = await dir.make('bitmap.vhd', 'dynamic', '4M', [{ offset: 0, length: 1024, pattern: 0x99 }]);
    const image = readFileSync(path);
    const table = 1536;
    const bitmapAt = image.readUInt32BE(table) * 512;
    image[bitmapAt] = 0x40; // sector 0 absent, sector 1 present
    const raw = await buffer(readVhdAsRaw(memorySource(image)));
    expect(raw.subarray(0, 512).every((b) => b === 0)).toBe(true);
    expect(raw.subarray(512, 1024).every((b) => b === 0x99)).toBe(true);
  });

  it('errors its stream for an invalid image', async () => {
    await expect(buffer(readVhdAsRaw(memorySource(Buffer.alloc(4096))))).rejects.toThrow(/^396: /);
  });

  it('streams a qemu-made VHD through our dynamic writer and back', async () => {
    const path = await makeVhd(dir.file('rewrite.vhd'), {
      subformat: 'dynamic',
      size: '10M',
      writes: [{ offset: 8 * MiB, length: 4096, pattern: 0x10 }],
    });
    const validated = await validateVhdFile(path);
    if (!validated.ok) throw new Error(validated.detail);
    const source = memorySource(readFileSync(path));
    const out = dir.file('rewrite.out.vhd');
    await pipeline(
      readVhdAsRaw(source),
      createDynamicVhdWriter({ virtualSize: validated.virtualSize, allocationMap: validated.allocationMap }),
      createWriteStream(out),
    );
    const [outRaw, pathRaw] = [
      await qemuRawBytes(out, `${out}.raw`),
      await qemuRawBytes(path, `${path}.raw`),
    ];
    expect(outRaw.equals(pathRaw)).toBe(true);
    expect(readFileSync(out).length).toBe(dynamicVhdSize(validated.virtualSize, validated.allocationMap));
  });

  it('is a byte stream, not an object stream', () => {
    expect(readVhdAsRaw(memorySource(Buffer.alloc(0))).readableObjectMode).toBe(false);
    expect(Readable).toBeDefined();
  });
});
