import { readFile } from 'node:fs/promises';
import {
  batEntry,
  blockBitmapOffset,
  FixtureDir,
  type FooterPatch,
  headerOffset,
  makeRejectedVhd,
  patchDynamicHeader,
  patchFooter,
  setBatEntry,
  tableOffset,
  tailFooter,
} from '@cloud-images/vhd-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_VIRTUAL_SIZE,
  inspectVhdMetadata,
  physicalSizeLimit,
  VHD_ERROR_MESSAGES,
  type VhdErrorCode,
  type VhdValidationResult,
  validateVhdStream,
} from '../src/index.js';
import { chunkedBody, memorySource, validateBuffer } from './support/memory-source.js';

const MiB = 1024 * 1024;
const ZERO_ID = Buffer.alloc(16);
const dir = new FixtureDir('vhd-test-');
let dynamicImage: Buffer;
let fixedImage: Buffer;
let bigImage: Buffer;

beforeAll(async () => {
  // Block 3 is written first, so it sits before block 0 in the file.
  const dynamicPath = await dir.make('d.vhd', 'dynamic', '8M', [
    { offset: 6 * MiB, length: 8192, pattern: 0x77 },
    { offset: 0, length: 8192, pattern: 0x33 },
  ]);
  dynamicImage = await readFile(dynamicPath);
  const fixedPath = await dir.make('f.vhd', 'fixed', '4M', [{ offset: MiB, length: 4096, pattern: 0x42 }]);
  fixedImage = await readFile(fixedPath);
  bigImage = await readFile(await makeRejectedVhd(dir.path, 413));
});
afterAll(() => dir.remove());

const dynamic = () => Buffer.from(dynamicImage);
const fixed = () => Buffer.from(fixedImage);

function expectCode(result: VhdValidationResult, code: VhdErrorCode, detail?: RegExp): void {
  if (result.ok) throw new Error(`expected ${code}, image was accepted`);
  expect({ code: result.code, detail: result.detail }).toMatchObject({ code });
  expect(result.message).toBe(VHD_ERROR_MESSAGES[code]);
  expect(result.message.startsWith(`${code}: `)).toBe(true);
  if (detail) expect(result.detail).toMatch(detail);
}

describe('the base fixtures', () => {
  it('are valid', async () => {
    expect((await validateBuffer(dynamic())).ok).toBe(true);
    expect((await validateBuffer(fixed())).ok).toBe(true);
    expect(batEntry(dynamicImage, 3)).toBeLessThan(batEntry(dynamicImage, 0));
  });
});

describe('609 physical size', () => {
  it('rejects an object larger than the physical limit without reading it', async () => {
    const source = memorySource(fixed());
    const result = await inspectVhdMetadata({
      size: physicalSizeLimit(DEFAULT_MAX_VIRTUAL_SIZE) + 1,
      readRange: source.readRange,
    });
    expectCode(result as VhdValidationResult, 609);
    expect(source.stats.calls).toBe(0);
  });

  it('uses the configured virtual limit', async () => {
    expectCode(await validateBuffer(fixed(), { maxVirtualSize: MiB }), 609);
  });

  it('puts the default limit at a fully allocated 40 GiB dynamic disk', () => {
    expect(physicalSizeLimit(DEFAULT_MAX_VIRTUAL_SIZE)).toBe(
      512 + 1024 + 81920 + 20480 * (512 + 2 * MiB) + 512,
    );
  });
});

describe('396 no valid footer', () => {
  it('rejects a file shorter than a footer', async () => {
    expectCode(await validateBuffer(Buffer.alloc(100)), 396);
    expectCode(await validateBuffer(Buffer.alloc(0)), 396);
  });
  it('rejects a raw disk with no footer', async () => {
    expectCode(await validateBuffer(Buffer.alloc(MiB, 7)), 396, /cookie/);
  });
  it('rejects a wrong cookie', async () => {
    const image = patchFooter(fixed(), { cookie: 'conectiy' });
    expectCode(await validateBuffer(image), 396);
  });
  it('rejects a bad footer checksum', async () => {
    const image = fixed();
    tailFooter(image)[100] = 1;
    expectCode(await validateBuffer(image), 396, /checksum/);
  });
  it('rejects a truncated dynamic disk whose tail is block data', async () => {
    expectCode(await validateBuffer(dynamic().subarray(0, dynamicImage.length - 4096)), 396);
  });
});

describe('721 parent disk', () => {
  it('rejects a differencing disk (type 4)', async () => {
    const image = patchFooter(dynamic(), { diskType: 4 });
    expectCode(await validateBuffer(image), 721, /differencing/);
  });
  it('rejects a dynamic disk with a parent name', async () => {
    const image = patchDynamicHeader(dynamic(), { parentName: 'parent.vhd' });
    expectCode(await validateBuffer(image), 721, /parent name/);
  });
  it('rejects a dynamic disk with a parent unique id', async () => {
    const image = patchDynamicHeader(dynamic(), { parentUniqueId: Buffer.alloc(16, 9) });
    expectCode(await validateBuffer(image), 721);
  });
  it('rejects a dynamic disk with a parent locator', async () => {
    const image = patchDynamicHeader(dynamic(), { parentLocatorCode: 'W2ku' });
    expectCode(await validateBuffer(image), 721, /locator/);
  });
  it('comes before 614 and 523', async () => {
    const image = patchFooter(dynamic(), { diskType: 4, uniqueId: ZERO_ID });
    expectCode(await validateBuffer(image), 721);
  });
});

describe('523 disk type', () => {
  for (const type of [0, 1, 5, 6, 0x12345678]) {
    it(`rejects disk type ${type}`, async () => {
      expectCode(await validateBuffer(patchFooter(fixed(), { diskType: type })), 523);
    });
  }
  it('comes before 614', async () => {
    const image = patchFooter(fixed(), { diskType: 5, uniqueId: ZERO_ID });
    expectCode(await validateBuffer(image), 523);
  });
});

describe('614 zero UUID', () => {
  it('rejects a fixed disk with a zero unique id', async () => {
    expectCode(await validateBuffer(patchFooter(fixed(), { uniqueId: ZERO_ID })), 614);
  });
  it('rejects a dynamic disk with a zero unique id, before 413', async () => {
    expectCode(await validateBuffer(patchFooter(Buffer.from(bigImage), { uniqueId: ZERO_ID })), 614);
  });
});

describe('413 virtual size', () => {
  it('rejects a 41 GiB sparse dynamic disk (tiny on disk)', async () => {
    expect(bigImage.length).toBeLessThan(MiB);
    expectCode(await validateBuffer(Buffer.from(bigImage)), 413);
  });
  it('rejects a geometry over the limit even when the current size is small', async () => {
    const image = patchFooter(fixed(), { geometry: { cylinders: 65000, heads: 16, sectorsPerTrack: 255 } });
    expectCode(await validateBuffer(image), 413, /geometry/);
  });
  it('ignores the 65535/16/255 sentinel geometry', async () => {
    const image = patchFooter(fixed(), { geometry: { cylinders: 65535, heads: 16, sectorsPerTrack: 255 } });
    expect((await validateBuffer(image)).ok).toBe(true);
  });
});

describe('111 structural faults', () => {
  const footerCases: Array<[string, FooterPatch, RegExp]> = [
    ['bad format version', { formatVersion: 0x00020000 }, /version/],
    ['reserved feature bit clear', { features: 0 }, /features/],
    ['unknown feature bits', { features: 0x12 }, /features/],
    ['bad saved state', { savedState: 2 }, /saved state/],
    ['current size not whole sectors', { currentSize: 4 * MiB - 100 }, /sectors/],
  ];
  for (const [name, patch, detail] of footerCases) {
    it(`rejects ${name}`, async () => {
      expectCode(await validateBuffer(patchFooter(fixed(), patch)), 111, detail);
      expectCode(await validateBuffer(patchFooter(dynamic(), patch)), 111, detail);
    });
  }

  it('rejects a fixed disk whose size is not current size + 512', async () => {
    const image = patchFooter(fixed(), { currentSize: 2 * MiB });
    expectCode(await validateBuffer(image), 111, /fixed disk/);
  });
  it('rejects a fixed disk with a data offset', async () => {
    expectCode(await validateBuffer(patchFooter(fixed(), { dataOffset: 512 })), 111, /data offset/);
  });
  it('rejects a dynamic header outside the file', async () => {
    const image = patchFooter(dynamic(), { dataOffset: dynamicImage.length });
    expectCode(await validateBuffer(image), 111, /outside/);
  });
  it('rejects a bad dynamic header cookie', async () => {
    expectCode(await validateBuffer(patchDynamicHeader(dynamic(), { cookie: 'cxsparsf' })), 111, /cookie/);
  });
  it('rejects a bad dynamic header checksum', async () => {
    const image = dynamic();
    image[headerOffset(image) + 1000] = 1;
    expectCode(await validateBuffer(image), 111, /checksum/);
  });
  it('rejects a bad dynamic header checksum even if it claims a parent', async () => {
    const image = dynamic();
    image.write('p', headerOffset(image) + 64, 'latin1');
    expectCode(await validateBuffer(image), 111);
  });
  it('rejects a block size that is not a power of two', async () => {
    expectCode(
      await validateBuffer(patchDynamicHeader(dynamic(), { blockSize: 3 * MiB })),
      111,
      /power of two/,
    );
  });
  it('rejects a block size below 512 bytes', async () => {
    expectCode(await validateBuffer(patchDynamicHeader(dynamic(), { blockSize: 256 })), 111, /power of two/);
  });
  it('rejects max table entries too small for the virtual size', async () => {
    expectCode(
      await validateBuffer(patchDynamicHeader(dynamic(), { maxTableEntries: 3 })),
      111,
      /< virtual size/,
    );
  });
  it('rejects far more table entries than the disk needs (memory guard)', async () => {
    for (const [entries, detail] of [
      [0xfffffff0, /product cap/],
      [1000, /far more/],
    ] as const) {
      const source = memorySource(patchDynamicHeader(dynamic(), { maxTableEntries: entries }));
      const result = await validateVhdStream({ ...source, body: () => chunkedBody(Buffer.alloc(0)) });
      expectCode(result, 111, detail);
      expect(source.stats.totalBytes).toBeLessThan(4096);
    }
  });
  it('rejects a BAT outside the file', async () => {
    const image = patchDynamicHeader(dynamic(), { tableOffset: dynamicImage.length - 256 });
    expectCode(await validateBuffer(image), 111, /BAT .* outside/);
  });
  it('rejects a BAT overlapping the dynamic header', async () => {
    const image = patchDynamicHeader(dynamic(), { tableOffset: 512 });
    expectCode(await validateBuffer(image), 111, /overlaps the dynamic header/);
  });
  it('rejects a BAT entry pointing into the footer copy', async () => {
    expectCode(await validateBuffer(setBatEntry(dynamic(), 1, 0)), 111, /footer copy/);
  });
  it('rejects a BAT entry pointing into the dynamic header', async () => {
    expectCode(
      await validateBuffer(setBatEntry(dynamic(), 1, headerOffset(dynamicImage) / 512)),
      111,
      /header/,
    );
  });
  it('rejects a BAT entry pointing into the BAT', async () => {
    expectCode(
      await validateBuffer(setBatEntry(dynamic(), 1, tableOffset(dynamicImage) / 512)),
      111,
      /the BAT/,
    );
  });
  it('rejects a BAT entry past the tail footer', async () => {
    expectCode(
      await validateBuffer(setBatEntry(dynamic(), 1, dynamicImage.length / 512)),
      111,
      /past the footer/,
    );
  });
  it('rejects two blocks that overlap', async () => {
    const image = dynamic();
    setBatEntry(image, 1, batEntry(image, 3) + 8); // block 3 is first in the file
    expectCode(await validateBuffer(image), 111, /overlap/);
  });
  it('rejects two BAT entries sharing one block', async () => {
    const image = dynamic();
    setBatEntry(image, 2, batEntry(image, 3));
    expectCode(await validateBuffer(image), 111, /overlap/);
  });
  it('rejects a footer copy that differs from the tail footer', async () => {
    const image = patchFooter(dynamic(), { timestamp: 12345 }, { copy: false });
    expectCode(await validateBuffer(image), 111, /footer copy/);
  });
  it('rejects a sector marked absent in the bitmap that holds data', async () => {
    const image = dynamic();
    image.fill(0, blockBitmapOffset(image, 0), blockBitmapOffset(image, 0) + 512);
    expectCode(await validateBuffer(image), 111, /marked absent/);
  });
  it('accepts absent sectors that hold zeros', async () => {
    const image = dynamic();
    const bitmap = blockBitmapOffset(image, 0);
    image.fill(0, bitmap + 2, bitmap + 512); // sectors 0..15 (the 8 KiB written) stay present
    expect((await validateBuffer(image)).ok).toBe(true);
  });
});

describe('111 body pass', () => {
  it('rejects a body shorter than the size', async () => {
    const image = dynamic();
    const source = memorySource(image);
    const result = await validateVhdStream({
      ...source,
      body: chunkedBody(image.subarray(0, image.length - 1000)),
    });
    expectCode(result, 111, /body ended/);
  });
  it('rejects a body longer than the size', async () => {
    const image = fixed();
    const source = memorySource(image);
    const result = await validateVhdStream({
      ...source,
      body: chunkedBody(Buffer.concat([image, Buffer.alloc(1)])),
    });
    expectCode(result, 111, /longer/);
  });
  it('rejects metadata that changed between the ranged reads and the body', async () => {
    const image = dynamic();
    const source = memorySource(Buffer.from(image));
    setBatEntry(image, 1, batEntry(image, 0));
    expectCode(await validateVhdStream({ ...source, body: chunkedBody(image) }), 111, /BAT byte/);
    const tail = fixed();
    const tailSource = memorySource(Buffer.from(tail));
    tail[tail.length - 1] = 9;
    expectCode(await validateVhdStream({ ...tailSource, body: chunkedBody(tail) }), 111, /tail footer/);
  });
  it('destroys a body stream it does not need', async () => {
    const body = chunkedBody(Buffer.alloc(10));
    const source = memorySource(Buffer.alloc(10));
    expectCode(await validateVhdStream({ ...source, body }), 396);
    expect(body.destroyed).toBe(true);
  });
});
