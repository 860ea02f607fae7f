import { asBuffer, readU64 } from './bytes.js';
import { vhdChecksum } from './checksum.js';
import { FOOTER_COOKIE, FOOTER_SIZE } from './constants.js';
import type { Geometry } from './geometry.js';

/** The 512-byte footer, decoded. Every field is reported as found; validation happens elsewhere. */
export interface VhdFooter {
  cookie: string;
  features: number;
  formatVersion: number;
  /** Offset of the dynamic header; +Infinity when all ones (fixed disks). */
  dataOffset: number;
  timestamp: number;
  creatorApp: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  geometry: Geometry;
  diskType: number;
  checksum: number;
  uniqueId: Uint8Array;
  savedState: number;
}

export const FOOTER_CHECKSUM_OFFSET = 64;

/** Parses a footer; `bytes` may be 511 bytes long (old Virtual PC), the missing byte reads as 0. */
export function parseFooter(bytes: Uint8Array): VhdFooter {
  const buf = Buffer.alloc(FOOTER_SIZE);
  asBuffer(bytes).copy(buf, 0, 0, Math.min(bytes.length, FOOTER_SIZE));
  return {
    cookie: buf.toString('latin1', 0, 8),
    features: buf.readUInt32BE(8),
    formatVersion: buf.readUInt32BE(12),
    dataOffset: readU64(buf, 16),
    timestamp: buf.readUInt32BE(24),
    creatorApp: buf.toString('latin1', 28, 32),
    creatorVersion: buf.readUInt32BE(32),
    creatorHostOs: buf.toString('latin1', 36, 40),
    originalSize: readU64(buf, 40),
    currentSize: readU64(buf, 48),
    geometry: {
      cylinders: buf.readUInt16BE(56),
      heads: buf.readUInt8(58),
      sectorsPerTrack: buf.readUInt8(59),
    },
    diskType: buf.readUInt32BE(60),
    checksum: buf.readUInt32BE(FOOTER_CHECKSUM_OFFSET),
    uniqueId: Uint8Array.prototype.slice.call(buf, 68, 84),
    savedState: buf.readUInt8(84),
  };
}

/** True when the bytes carry the `conectix` cookie and a matching checksum. */
export function isIntactFooter(bytes: Uint8Array): boolean {
  const buf = asBuffer(bytes);
  if (buf.length < 68 || buf.toString('latin1', 0, 8) !== FOOTER_COOKIE) return false;
  return buf.readUInt32BE(FOOTER_CHECKSUM_OFFSET) === vhdChecksum(buf, FOOTER_CHECKSUM_OFFSET);
}

export interface FooterFields {
  dataOffset: bigint;
  timestamp: number;
  creatorApp: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  geometry: Geometry;
  diskType: number;
  uniqueId: Uint8Array;
}

/** Encodes a footer with the reserved feature bit set, version 1.0 and a fresh checksum. */
export function encodeFooter(fields: FooterFields): Buffer {
  const buf = Buffer.alloc(FOOTER_SIZE);
  buf.write(FOOTER_COOKIE, 0, 'latin1');
  buf.writeUInt32BE(0x2, 8);
  buf.writeUInt32BE(0x00010000, 12);
  buf.writeBigUInt64BE(fields.dataOffset, 16);
  buf.writeUInt32BE(fields.timestamp >>> 0, 24);
  buf.write(fields.creatorApp.padEnd(4, '\0').slice(0, 4), 28, 'latin1');
  buf.writeUInt32BE(fields.creatorVersion, 32);
  buf.write(fields.creatorHostOs.padEnd(4, '\0').slice(0, 4), 36, 'latin1');
  buf.writeBigUInt64BE(BigInt(fields.originalSize), 40);
  buf.writeBigUInt64BE(BigInt(fields.currentSize), 48);
  buf.writeUInt16BE(fields.geometry.cylinders, 56);
  buf.writeUInt8(fields.geometry.heads, 58);
  buf.writeUInt8(fields.geometry.sectorsPerTrack, 59);
  buf.writeUInt32BE(fields.diskType, 60);
  asBuffer(fields.uniqueId).copy(buf, 68, 0, 16);
  buf.writeUInt32BE(vhdChecksum(buf, FOOTER_CHECKSUM_OFFSET), FOOTER_CHECKSUM_OFFSET);
  return buf;
}
