import { createHash } from 'node:crypto';
import { readFileSync, truncateSync } from 'node:fs';
import {
  FixtureDir,
  makeVhd,
  patchFooter,
  patchVhdFile,
  type QemuImageOptions,
  qemuCreate,
  qemuRawBytes,
  qemuVirtualSize,
} from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAllocationMap, validateVhdFile } from '../src/index.js';
import { expectedAllocationMap, validateBuffer } from './support/memory-source.js';

const MiB = 1024 * 1024;
const dir = new FixtureDir('vhd-test-');
afterAll(() => dir.remove());

/** A high offset is written first, so qemu stores its block before the low one. */
const WRITES = [
  { offset: 21 * MiB, length: 64 * 1024, pattern: 0xab },
  { offset: 512, length: 4096, pattern: 0x5a },
  { offset: 9 * MiB + 4096, length: MiB, pattern: 0x11 },
];

const cases: Array<[string, QemuImageOptions]> = [
  ['dynamic', { subformat: 'dynamic', size: '24M' }],
  ['dynamic force_size', { subformat: 'dynamic', size: '24M', forceSize: true }],
  ['fixed', { subformat: 'fixed', size: '24M' }],
  ['fixed force_size', { subformat: 'fixed', size: '24M', forceSize: true }],
];

describe.each(cases)('qemu %s image with data at several offsets', (name, options) => {
  const path = dir.file(`${name.replace(' ', '-')}.vhd`);
  let raw: Buffer;
  beforeAll(async () => {
    await makeVhd(path, { ...options, writes: WRITES });
    raw = await qemuRawBytes(path, `${path}.raw`);
  });

  it('is accepted with the right facts', async () => {
    const result = await validateVhdFile(path);
    if (!result.ok) throw new Error(`${result.message} ${result.detail}`);
    const file = readFileSync(path);
    expect(result.diskType).toBe(options.subformat);
    expect(result.virtualSize).toBe(await qemuVirtualSize(path));
    expect(result.virtualSize).toBe(raw.length);
    expect(result.physicalSize).toBe(file.length);
    expect(result.md5).toBe(createHash('md5').update(file).digest('hex'));
    expect(result.sha512).toBe(createHash('sha512').update(file).digest('hex'));
    expect(result.uniqueId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.blockSize).toBe(options.subformat === 'dynamic' ? 2 * MiB : null);
    expect(encodeAllocationMap(result.allocationMap)).toBe(encodeAllocationMap(expectedAllocationMap(raw)));
    // Granules 0, 4, 5 and 10 hold the writes above.
    expect(result.allocatedGranules).toBe(4);
  });

  it('gives the same answer whatever the body chunking', async () => {
    const file = readFileSync(path);
    const reference = await validateVhdFile(path);
    for (const chunkSize of [511, 4097, 3 * MiB + 1]) {
      expect(await validateBuffer(file, { chunkSize })).toEqual(reference);
    }
  });
});

describe('special layouts', () => {
  it('stores the high block first when it was written first', () => {
    const path = dir.file('dynamic-force_size.vhd');
    const image = readFileSync(path);
    const table = Number(image.readBigUInt64BE(Number(image.readBigUInt64BE(image.length - 512 + 16)) + 16));
    // Block 10 (21 MiB) was allocated before block 0.
    expect(image.readUInt32BE(table + 10 * 4)).toBeLessThan(image.readUInt32BE(table));
  });

  it('accepts the 511-byte footer of old Virtual PC images (fixed)', async () => {
    const path = dir.file('short-footer-fixed.vhd');
    await qemuCreate(path, { subformat: 'fixed', size: '4M' });
    truncateSync(path, readFileSync(path).length - 1);
    const result = await validateVhdFile(path);
    expect(result).toMatchObject({ ok: true, diskType: 'fixed' });
  });

  it('accepts the 511-byte footer of old Virtual PC images (dynamic)', async () => {
    const path = dir.file('short-footer-dynamic.vhd');
    await makeVhd(path, {
      subformat: 'dynamic',
      size: '4M',
      writes: [{ offset: 0, length: 512, pattern: 1 }],
    });
    truncateSync(path, readFileSync(path).length - 1);
    expect(await validateVhdFile(path)).toMatchObject({
      ok: true,
      diskType: 'dynamic',
      allocatedGranules: 1,
    });
  });

  it('accepts an empty dynamic disk with an all-zero allocation map', async () => {
    const path = await dir.make('empty.vhd', 'dynamic', '40M');
    const result = await validateVhdFile(path);
    expect(result).toMatchObject({ ok: true, allocatedGranules: 0, virtualSize: 40 * MiB });
  });

  it('accepts a disk exactly at a configured limit and rejects it one sector lower', async () => {
    const path = await dir.make('limit.vhd', 'dynamic', '8M');
    expect((await validateVhdFile(path, { maxVirtualSize: 8 * MiB })).ok).toBe(true);
    expect(await validateVhdFile(path, { maxVirtualSize: 8 * MiB - 512 })).toMatchObject({
      ok: false,
      code: 413,
    });
  });

  it('accepts allocated blocks that hold only zeros, without marking them', async () => {
    const path = await makeVhd(dir.file('zero-block.vhd'), {
      subformat: 'dynamic',
      size: '8M',
      writes: [{ offset: 2 * MiB, length: 4096, pattern: 0 }],
    });
    const result = await validateVhdFile(path);
    expect(result).toMatchObject({ ok: true, allocatedGranules: 0 });
  });

  it('accepts a fixed disk whose footer data offset is 0xFFFFFFFF', async () => {
    const path = dir.file('fixed-ffffffff.vhd');
    await qemuCreate(path, { subformat: 'fixed', size: '2M' });
    await patchVhdFile(path, (image) => patchFooter(image, { dataOffset: 0xffffffff }));
    expect((await validateVhdFile(path)).ok).toBe(true);
  });
});
