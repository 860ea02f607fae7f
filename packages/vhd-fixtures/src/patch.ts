import { readFile, writeFile } from 'node:fs/promises';
import { vhdChecksum } from './checksum.js';
import { DiskType, DYNAMIC_HEADER_SIZE, FOOTER_SIZE, FooterField, HeaderField, SECTOR } from './layout.js';

/**
 * Byte-level surgery on VHD images held in memory. The patch functions edit in place, re-sign what they
 * touched and return the same buffer, so a fixture trips exactly the rule it is made for.
 */

/** Fields of the footer a fixture may set; anything else can be reached with an edit callback. */
export interface FooterPatch {
  /** 8 characters, written as latin1 (the real cookie is `conectix`). */
  cookie?: string;
  features?: number;
  formatVersion?: number;
  dataOffset?: number | bigint;
  timestamp?: number;
  originalSize?: number | bigint;
  currentSize?: number | bigint;
  geometry?: { cylinders: number; heads: number; sectorsPerTrack: number };
  /** 2 fixed, 3 dynamic, 4 differencing; anything else is invalid. */
  diskType?: number;
  /** 16 bytes; `Buffer.alloc(16)` is the all-zero id. */
  uniqueId?: Uint8Array;
  savedState?: number;
}

/** Fields of the dynamic header a fixture may set. */
export interface DynamicHeaderPatch {
  /** 8 characters, written as latin1 (the real cookie is `cxsparse`). */
  cookie?: string;
  dataOffset?: number | bigint;
  tableOffset?: number | bigint;
  headerVersion?: number;
  maxTableEntries?: number;
  blockSize?: number;
  /** 16 bytes. */
  parentUniqueId?: Uint8Array;
  parentTimestamp?: number;
  /** Written as UTF-16 big-endian, as the specification stores it. */
  parentName?: string;
  /** The platform code (4 characters, e.g. `W2ku`) of the first parent locator entry. */
  parentLocatorCode?: string;
}

export type RegionEdit = (bytes: Buffer) => void;

export interface PatchFooterOptions {
  /** For a dynamic (or differencing) disk, also write the result over the footer copy at offset 0. Default true. */
  copy?: boolean;
}

export function tailFooter(image: Buffer): Buffer {
  return image.subarray(image.length - FOOTER_SIZE);
}

/** The footer says the disk is not fixed, so it has a footer copy, a dynamic header and a BAT. */
export function hasDynamicHeader(image: Buffer): boolean {
  return tailFooter(image).readUInt32BE(FooterField.diskType) !== DiskType.fixed;
}

export function resignFooter(footer: Buffer): Buffer {
  footer.writeUInt32BE(vhdChecksum(footer, FooterField.checksum), FooterField.checksum);
  return footer;
}

export function resignDynamicHeader(header: Buffer): Buffer {
  header.writeUInt32BE(vhdChecksum(header, HeaderField.checksum), HeaderField.checksum);
  return header;
}

function writeFooterFields(f: Buffer, patch: FooterPatch): void {
  if (patch.cookie !== undefined) f.write(patch.cookie, FooterField.cookie, 8, 'latin1');
  if (patch.features !== undefined) f.writeUInt32BE(patch.features >>> 0, FooterField.features);
  if (patch.formatVersion !== undefined)
    f.writeUInt32BE(patch.formatVersion >>> 0, FooterField.formatVersion);
  if (patch.dataOffset !== undefined) f.writeBigUInt64BE(BigInt(patch.dataOffset), FooterField.dataOffset);
  if (patch.timestamp !== undefined) f.writeUInt32BE(patch.timestamp >>> 0, FooterField.timestamp);
  if (patch.originalSize !== undefined)
    f.writeBigUInt64BE(BigInt(patch.originalSize), FooterField.originalSize);
  if (patch.currentSize !== undefined) f.writeBigUInt64BE(BigInt(patch.currentSize), FooterField.currentSize);
  if (patch.geometry !== undefined) {
    f.writeUInt16BE(patch.geometry.cylinders, FooterField.geometry);
    f.writeUInt8(patch.geometry.heads, FooterField.geometry + 2);
    f.writeUInt8(patch.geometry.sectorsPerTrack, FooterField.geometry + 3);
  }
  if (patch.diskType !== undefined) f.writeUInt32BE(patch.diskType >>> 0, FooterField.diskType);
  if (patch.uniqueId !== undefined) writeBytes(f, patch.uniqueId, FooterField.uniqueId, 16);
  if (patch.savedState !== undefined) f.writeUInt8(patch.savedState, FooterField.savedState);
}

function writeHeaderFields(h: Buffer, patch: DynamicHeaderPatch): void {
  if (patch.cookie !== undefined) h.write(patch.cookie, HeaderField.cookie, 8, 'latin1');
  if (patch.dataOffset !== undefined) h.writeBigUInt64BE(BigInt(patch.dataOffset), HeaderField.dataOffset);
  if (patch.tableOffset !== undefined) h.writeBigUInt64BE(BigInt(patch.tableOffset), HeaderField.tableOffset);
  if (patch.headerVersion !== undefined)
    h.writeUInt32BE(patch.headerVersion >>> 0, HeaderField.headerVersion);
  if (patch.maxTableEntries !== undefined) {
    h.writeUInt32BE(patch.maxTableEntries >>> 0, HeaderField.maxTableEntries);
  }
  if (patch.blockSize !== undefined) h.writeUInt32BE(patch.blockSize >>> 0, HeaderField.blockSize);
  if (patch.parentUniqueId !== undefined) writeBytes(h, patch.parentUniqueId, HeaderField.parentUniqueId, 16);
  if (patch.parentTimestamp !== undefined) {
    h.writeUInt32BE(patch.parentTimestamp >>> 0, HeaderField.parentTimestamp);
  }
  if (patch.parentName !== undefined) {
    const utf16be = Buffer.from(patch.parentName, 'utf16le').swap16();
    writeBytes(h, utf16be, HeaderField.parentUnicodeName, 512);
  }
  if (patch.parentLocatorCode !== undefined) {
    h.write(patch.parentLocatorCode, HeaderField.parentLocators, 4, 'latin1');
  }
}

function writeBytes(target: Buffer, bytes: Uint8Array, offset: number, width: number): void {
  if (bytes.length > width) throw new RangeError(`${bytes.length} bytes do not fit a ${width}-byte field`);
  target.fill(0, offset, offset + width);
  target.set(bytes, offset);
}

/**
 * Sets footer fields (or runs `edit` on the 512-byte tail footer) and recomputes its checksum. On a disk that
 * was dynamic before the edit the footer copy at offset 0 gets the same bytes, unless `copy` is false.
 */
export function patchFooter(
  image: Buffer,
  patch: FooterPatch | RegionEdit,
  { copy = true }: PatchFooterOptions = {},
): Buffer {
  const dynamic = hasDynamicHeader(image);
  const footer = tailFooter(image);
  if (typeof patch === 'function') patch(footer);
  else writeFooterFields(footer, patch);
  resignFooter(footer);
  if (dynamic && copy) footer.copy(image, 0);
  return image;
}

export function headerOffset(image: Buffer): number {
  return Number(tailFooter(image).readBigUInt64BE(FooterField.dataOffset));
}

export function dynamicHeader(image: Buffer): Buffer {
  const at = headerOffset(image);
  return image.subarray(at, at + DYNAMIC_HEADER_SIZE);
}

/** Sets dynamic header fields (or runs `edit` on its 1024 bytes) and recomputes the header checksum. */
export function patchDynamicHeader(image: Buffer, patch: DynamicHeaderPatch | RegionEdit): Buffer {
  const header = dynamicHeader(image);
  if (typeof patch === 'function') patch(header);
  else writeHeaderFields(header, patch);
  resignDynamicHeader(header);
  return image;
}

/** Byte offset of the BAT, from the dynamic header. */
export function tableOffset(image: Buffer): number {
  return Number(dynamicHeader(image).readBigUInt64BE(HeaderField.tableOffset));
}

/** The BAT entry of `block`: the sector where its bitmap starts, 0xFFFFFFFF when unallocated. */
export function batEntry(image: Buffer, block: number): number {
  return image.readUInt32BE(tableOffset(image) + block * 4);
}

export function setBatEntry(image: Buffer, block: number, sector: number): Buffer {
  image.writeUInt32BE(sector >>> 0, tableOffset(image) + block * 4);
  return image;
}

/** Byte offset of the sector bitmap that precedes `block`'s data in the file. */
export function blockBitmapOffset(image: Buffer, block: number): number {
  return batEntry(image, block) * SECTOR;
}

/** Reads a VHD file, hands its bytes to `edit`, then writes them to `outPath` (default: in place). */
export async function patchVhdFile(
  path: string,
  edit: (image: Buffer) => void,
  outPath: string = path,
): Promise<string> {
  const image = await readFile(path);
  edit(image);
  await writeFile(outPath, image);
  return outPath;
}
