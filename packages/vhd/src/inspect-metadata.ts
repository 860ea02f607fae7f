import { formatUuid, isAllZero } from './bytes.js';
import {
  DISK_TYPE_DIFFERENCING,
  DISK_TYPE_DYNAMIC,
  DISK_TYPE_FIXED,
  DYNAMIC_HEADER_SIZE,
  FEATURE_RESERVED,
  FEATURE_TEMPORARY,
  FOOTER_SIZE,
  FORMAT_VERSION,
  SECTOR_SIZE,
  SHORT_FOOTER_SIZE,
} from './constants.js';
import { describeParentFields, isIntactDynamicHeader } from './dynamic-header.js';
import { type DynamicLayout, inspectDynamicLayout } from './dynamic-layout.js';
import { DEFAULT_MAX_VIRTUAL_SIZE, VhdValidationError, type VhdValidationFailure } from './errors.js';
import { isIntactFooter, parseFooter, type VhdFooter } from './footer.js';
import { geometrySize, isSentinelGeometry } from './geometry.js';
import { physicalSizeLimit } from './limits.js';
import { type ReadRange, readExactly } from './range-reader.js';

export type VhdDiskType = 'fixed' | 'dynamic';

/** What the ranged-read pass learnt; the input of the body verifier and the reader. */
export interface VhdMetadata {
  size: number;
  diskType: VhdDiskType;
  /** The footer's current size (vhd-format.md: this is the virtual size). */
  virtualSize: number;
  uniqueId: string;
  footer: VhdFooter;
  /** The tail footer exactly as read: 512 bytes, or 511 for old Virtual PC images. */
  footerBytes: Buffer;
  footerOffset: number;
  /** Null for fixed disks. */
  dynamic: DynamicLayout | null;
}

export interface InspectVhdMetadataInput {
  size: number;
  readRange: ReadRange;
  /** Inclusive; defaults to 40 GiB. Pass Infinity to skip rules 609/413 (e.g. when exporting). */
  maxVirtualSize?: number;
}

export type InspectVhdMetadataResult = { ok: true; metadata: VhdMetadata } | VhdValidationFailure;

/**
 * Every check that needs only ranged reads, in the rule order of vhd-format.md:
 * 609, 396, 721, 523, 614, 413, then the structural 111s. Reads at most 2 KiB plus the BAT,
 * which is capped at MAX_BAT_ENTRIES before it is read, in slices of at most 1 MiB.
 */
export async function inspectVhdMetadata(input: InspectVhdMetadataInput): Promise<InspectVhdMetadataResult> {
  try {
    return { ok: true, metadata: await inspectOrThrow(input) };
  } catch (error) {
    if (error instanceof VhdValidationError) return error.toFailure();
    throw error;
  }
}

/** Same checks; throws VhdValidationError. Used by the reader, which errors its stream instead. */
export async function inspectOrThrow(input: InspectVhdMetadataInput): Promise<VhdMetadata> {
  const { size, readRange } = input;
  const maxVirtualSize = input.maxVirtualSize ?? DEFAULT_MAX_VIRTUAL_SIZE;
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError(`size must be a byte count, got ${size}`);

  const limit = physicalSizeLimit(maxVirtualSize);
  if (size > limit)
    throw new VhdValidationError(609, `object is ${size} bytes; the physical limit is ${limit}`);

  const footerBytes = await readTailFooter(size, readRange);
  const footerOffset = size - footerBytes.length;
  const footer = parseFooter(footerBytes);

  // 721 then 523: the disk type decides which of the two applies.
  if (footer.diskType === DISK_TYPE_DIFFERENCING)
    throw new VhdValidationError(721, 'disk type is 4 (differencing)');
  let headerBytes: Buffer | null = null;
  if (footer.diskType === DISK_TYPE_DYNAMIC) {
    headerBytes = await readHeaderIfInFile(footer.dataOffset, footerOffset, readRange);
    // A header we cannot trust (bad cookie or checksum) is a 111 later, not evidence of a parent.
    if (headerBytes && isIntactDynamicHeader(headerBytes)) {
      const parent = describeParentFields(headerBytes);
      if (parent) throw new VhdValidationError(721, `dynamic disk carries parent fields: ${parent}`);
    }
  } else if (footer.diskType !== DISK_TYPE_FIXED) {
    throw new VhdValidationError(
      523,
      `disk type is ${footer.diskType}; only 2 (fixed) and 3 (dynamic) are accepted`,
    );
  }

  if (isAllZero(footer.uniqueId)) throw new VhdValidationError(614, 'footer unique id is all zeros');

  const realGeometry = !isSentinelGeometry(footer.geometry);
  const chsSize = realGeometry ? geometrySize(footer.geometry) : 0;
  if (footer.currentSize > maxVirtualSize) {
    throw new VhdValidationError(
      413,
      `current size ${footer.currentSize} exceeds the limit ${maxVirtualSize}`,
    );
  }
  if (chsSize > maxVirtualSize) {
    const g = footer.geometry;
    throw new VhdValidationError(
      413,
      `geometry ${g.cylinders}/${g.heads}/${g.sectorsPerTrack} gives ${chsSize} bytes, over the limit ${maxVirtualSize}`,
    );
  }

  checkFooterFields(footer);
  const virtualSize = footer.currentSize;
  const common = {
    size,
    virtualSize,
    uniqueId: formatUuid(footer.uniqueId),
    footer,
    footerBytes,
    footerOffset,
  };

  if (footer.diskType === DISK_TYPE_FIXED) {
    if (footerOffset !== virtualSize) {
      throw new VhdValidationError(
        111,
        `fixed disk is ${size} bytes; expected current size ${virtualSize} + ${footerBytes.length}`,
      );
    }
    if (footer.dataOffset !== Number.POSITIVE_INFINITY && footer.dataOffset !== 0xffffffff) {
      throw new VhdValidationError(111, `fixed disk data offset is ${footer.dataOffset}, expected all ones`);
    }
    return { ...common, diskType: 'fixed', dynamic: null };
  }

  if (!headerBytes) {
    throw new VhdValidationError(111, `dynamic header offset ${footer.dataOffset} lies outside the file`);
  }
  const copy = await readExactly(readRange, 0, footerBytes.length);
  if (!copy.equals(footerBytes))
    throw new VhdValidationError(111, 'footer copy at offset 0 differs from the tail footer');
  const dynamic = await inspectDynamicLayout({
    footerOffset,
    headerOffset: footer.dataOffset,
    headerBytes,
    virtualSize,
    geometryVirtualSize: chsSize,
    readRange,
  });
  return { ...common, diskType: 'dynamic', dynamic };
}

/** Rule 396: the last 512 bytes must be an intact footer (or the last 511, for old images). */
async function readTailFooter(size: number, readRange: ReadRange): Promise<Buffer> {
  if (size < FOOTER_SIZE) throw new VhdValidationError(396, `object is ${size} bytes, shorter than a footer`);
  const tail = await readExactly(readRange, size - FOOTER_SIZE, FOOTER_SIZE);
  if (isIntactFooter(tail)) return tail;
  if (size % SECTOR_SIZE === SHORT_FOOTER_SIZE) {
    const short = tail.subarray(1);
    if (isIntactFooter(short)) return short;
  }
  const cookie = tail.toString('latin1', 0, 8);
  const why = cookie === 'conectix' ? 'footer checksum is bad' : 'no conectix cookie in the last 512 bytes';
  throw new VhdValidationError(396, why);
}

/** Reads the dynamic header only if the footer's pointer to it lies inside the file. */
async function readHeaderIfInFile(
  offset: number,
  footerOffset: number,
  readRange: ReadRange,
): Promise<Buffer | null> {
  if (!Number.isSafeInteger(offset) || offset < FOOTER_SIZE || offset + DYNAMIC_HEADER_SIZE > footerOffset) {
    return null;
  }
  return readExactly(readRange, offset, DYNAMIC_HEADER_SIZE);
}

function checkFooterFields(footer: VhdFooter): void {
  if (footer.formatVersion !== FORMAT_VERSION) {
    throw new VhdValidationError(111, `footer format version is 0x${footer.formatVersion.toString(16)}`);
  }
  if (
    (footer.features & FEATURE_RESERVED) === 0 ||
    (footer.features & ~(FEATURE_RESERVED | FEATURE_TEMPORARY)) !== 0
  ) {
    throw new VhdValidationError(111, `footer features are 0x${footer.features.toString(16)}`);
  }
  if (footer.savedState > 1) throw new VhdValidationError(111, `footer saved state is ${footer.savedState}`);
  if (footer.currentSize % SECTOR_SIZE !== 0) {
    throw new VhdValidationError(111, `current size ${footer.currentSize} is not a whole number of sectors`);
  }
}
