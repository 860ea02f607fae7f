import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  batEntry,
  dynamicHeader,
  FixtureDir,
  FooterField,
  HeaderField,
  makeBitmapHidesDataVhd,
  makeRejectedVhd,
  makeVhd,
  patchDynamicHeader,
  patchFooter,
  qemuInfo,
  qemuRawBytes,
  REJECTED_VHD_CODES,
  tailFooter,
  vhdChecksum,
} from '../src/index.js';

const MiB = 1024 * 1024;
const dir = new FixtureDir();
afterAll(() => dir.remove());

describe('fixtures made with qemu', () => {
  it('carry the checksums this package computes, and no-op patches change nothing', async () => {
    const path = await dir.make('d.vhd', 'dynamic', '8M', [
      { pattern: 0x77, offset: 6 * MiB, length: 4096 },
      { pattern: 0x33, offset: 0, length: '4k' },
    ]);
    const image = await readFile(path);
    const footer = tailFooter(image);
    expect(footer.readUInt32BE(FooterField.checksum)).toBe(vhdChecksum(footer, FooterField.checksum));
    const header = dynamicHeader(image);
    expect(header.toString('latin1', 0, 8)).toBe('cxsparse');
    expect(header.readUInt32BE(HeaderField.checksum)).toBe(vhdChecksum(header, HeaderField.checksum));
    expect(patchDynamicHeader(patchFooter(Buffer.from(image), {}), {}).equals(image)).toBe(true);
    // Written first, block 3 is stored before block 0.
    expect(batEntry(image, 3)).toBeLessThan(batEntry(image, 0));
    expect((await qemuInfo(path))['virtual-size']).toBe(8 * MiB);
    const raw = await qemuRawBytes(path, dir.file('d.raw'));
    expect(raw.subarray(6 * MiB, 6 * MiB + 4096).every((b) => b === 0x77)).toBe(true);
  });

  it('patchFooter sets the typed fields and keeps the dynamic footer copy equal', async () => {
    const path = await makeVhd(dir.file('p.vhd'), { subformat: 'dynamic', size: '4M' });
    const image = patchFooter(await readFile(path), { diskType: 4, uniqueId: Buffer.alloc(16), features: 0 });
    const footer = tailFooter(image);
    expect(footer.readUInt32BE(FooterField.diskType)).toBe(4);
    expect(footer.readUInt32BE(FooterField.features)).toBe(0);
    expect(footer.subarray(FooterField.uniqueId, FooterField.uniqueId + 16).every((b) => b === 0)).toBe(true);
    expect(footer.readUInt32BE(FooterField.checksum)).toBe(vhdChecksum(footer, FooterField.checksum));
    expect(image.subarray(0, 512).equals(footer)).toBe(true);
  });
});

describe('the rejection catalogue', () => {
  it.each(REJECTED_VHD_CODES)('makes a file for %i', async (code) => {
    const path = await makeRejectedVhd(dir.path, code);
    expect(path).toBe(dir.file(`rejected-${code}.vhd`));
    const footer = tailFooter(await readFile(path));
    expect(footer.readUInt32BE(FooterField.checksum)).toBe(vhdChecksum(footer, FooterField.checksum));
  });

  it('hides data behind a sector bitmap', async () => {
    const { path, bitmapOffset } = await makeBitmapHidesDataVhd(dir.file('hidden.vhd'), {
      size: '4M',
      writes: [{ pattern: 0xcd, offset: '2M', length: '1M' }],
      block: 1,
    });
    const image = await readFile(path);
    expect(image[bitmapOffset]).toBe(0);
    expect(image[bitmapOffset + 512]).toBe(0xcd);
  });
});
