import { asBuffer, isAllZero, readU64 } from './bytes.js';
import { vhdChecksum } from './checksum.js';
import { DYNAMIC_HEADER_COOKIE, DYNAMIC_HEADER_SIZE, HEADER_VERSION } from './constants.js';

/** The 1024-byte "cxsparse" header of dynamic and differencing disks, decoded as found. */
export interface DynamicHeader {
  cookie: string;
  dataOffset: number;
  tableOffset: number;
  headerVersion: number;
  maxTableEntries: number;
  blockSize: number;
  checksum: number;
}

export const HEADER_CHECKSUM_OFFSET = 36;

export function parseDynamicHeader(bytes: Uint8Array): DynamicHeader {
  const buf = asBuffer(bytes);
  return {
    cookie: buf.toString('latin1', 0, 8),
    dataOffset: readU64(buf, 8),
    tableOffset: readU64(buf, 16),
    headerVersion: buf.readUInt32BE(24),
    maxTableEntries: buf.readUInt32BE(28),
    blockSize: buf.readUInt32BE(32),
    checksum: buf.readUInt32BE(HEADER_CHECKSUM_OFFSET),
  };
}

export function isIntactDynamicHeader(bytes: Uint8Array): boolean {
  const buf = asBuffer(bytes);
  if (buf.length !== DYNAMIC_HEADER_SIZE || buf.toString('latin1', 0, 8) !== DYNAMIC_HEADER_COOKIE)
    return false;
  return buf.readUInt32BE(HEADER_CHECKSUM_OFFSET) === vhdChecksum(buf, HEADER_CHECKSUM_OFFSET);
}

/**
 * Parent unique id (40..56), parent timestamp (56..60), parent name (64..576) and the eight
 * parent locators (576..768). A stand-alone disk leaves all of them zero.
 */
export function describeParentFields(bytes: Uint8Array): string | null {
  if (!isAllZero(bytes, 40, 60)) return 'parent unique id or timestamp is set';
  if (!isAllZero(bytes, 64, 576)) return 'parent name is set';
  if (!isAllZero(bytes, 576, 768)) return 'a parent locator is set';
  return null;
}

export interface DynamicHeaderFields {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
}

export function encodeDynamicHeader(fields: DynamicHeaderFields): Buffer {
  const buf = Buffer.alloc(DYNAMIC_HEADER_SIZE);
  buf.write(DYNAMIC_HEADER_COOKIE, 0, 'latin1');
  buf.writeBigUInt64BE(0xffffffffffffffffn, 8);
  buf.writeBigUInt64BE(BigInt(fields.tableOffset), 16);
  buf.writeUInt32BE(HEADER_VERSION, 24);
  buf.writeUInt32BE(fields.maxTableEntries, 28);
  buf.writeUInt32BE(fields.blockSize, 32);
  buf.writeUInt32BE(vhdChecksum(buf, HEADER_CHECKSUM_OFFSET), HEADER_CHECKSUM_OFFSET);
  return buf;
}
