import { vhdChecksum } from '../../src/index.js';

/**
 * Byte-level surgery on VHD images for the error-table fixtures. Every helper recomputes the
 * checksum it invalidates, so the fixture trips exactly the rule under test.
 */
export const FOOTER = 512;

export function tailFooter(image: Buffer): Buffer {
  return image.subarray(image.length - FOOTER);
}

export function isDynamic(image: Buffer): boolean {
  return tailFooter(image).readUInt32BE(60) !== 2;
}

export function fixFooterChecksum(footer: Buffer): void {
  footer.writeUInt32BE(vhdChecksum(footer, 64), 64);
}

/** Edits the tail footer (and the copy at offset 0 of dynamic disks), then re-checksums. */
export function editFooter(image: Buffer, edit: (footer: Buffer) => void, options = { copy: true }): Buffer {
  const dynamic = isDynamic(image);
  const footer = tailFooter(image);
  edit(footer);
  fixFooterChecksum(footer);
  if (dynamic && options.copy) footer.copy(image, 0);
  return image;
}

export function headerOffset(image: Buffer): number {
  return Number(tailFooter(image).readBigUInt64BE(16));
}

export function editHeader(image: Buffer, edit: (header: Buffer) => void): Buffer {
  const header = image.subarray(headerOffset(image), headerOffset(image) + 1024);
  edit(header);
  header.writeUInt32BE(vhdChecksum(header, 36), 36);
  return image;
}

export function tableOffset(image: Buffer): number {
  return Number(image.readBigUInt64BE(headerOffset(image) + 16));
}

export function batEntry(image: Buffer, index: number): number {
  return image.readUInt32BE(tableOffset(image) + index * 4);
}

export function setBatEntry(image: Buffer, index: number, sector: number): Buffer {
  image.writeUInt32BE(sector >>> 0, tableOffset(image) + index * 4);
  return image;
}
