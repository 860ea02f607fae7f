/** Sizes and magic values fixed by the VHD specification (all integers big-endian). */

export const SECTOR_SIZE = 512;
export const FOOTER_SIZE = 512;
/** Very old Virtual PC images wrote a footer one byte short; vhd-format.md decides to accept it. */
export const SHORT_FOOTER_SIZE = 511;
export const DYNAMIC_HEADER_SIZE = 1024;

export const FOOTER_COOKIE = 'conectix';
export const DYNAMIC_HEADER_COOKIE = 'cxsparse';
export const FORMAT_VERSION = 0x00010000;
export const HEADER_VERSION = 0x00010000;
/** Feature bit 0x2 is "reserved, must be set"; 0x1 marks a temporary disk. */
export const FEATURE_RESERVED = 0x2;
export const FEATURE_TEMPORARY = 0x1;

export const DISK_TYPE_FIXED = 2;
export const DISK_TYPE_DYNAMIC = 3;
export const DISK_TYPE_DIFFERENCING = 4;

/** BAT value of a block that is not allocated (reads as zeros). */
export const BAT_UNUSED = 0xffffffff;
export const BAT_ENTRIES_PER_SECTOR = SECTOR_SIZE / 4;

export const MIN_BLOCK_SIZE = 512;
export const MAX_BLOCK_SIZE = 256 * 1024 * 1024;
/** Block size used by Hyper-V, Virtual PC, qemu and our own writer. */
export const DEFAULT_BLOCK_SIZE = 2 * 1024 * 1024;

/**
 * Product cap on BAT entries (16 MiB of table). A 40 GiB disk with 2 MiB blocks needs 20,480;
 * the cap only rejects exotic tiny block sizes, and keeps the in-memory table bounded.
 */
export const MAX_BAT_ENTRIES = 4 * 1024 * 1024;

/** Largest single ranged read we ever issue; the BAT is read in slices of this size. */
export const MAX_RANGE_READ = 1024 * 1024;

/** The CHS value qemu treats as "geometry unusable, trust current size". We never write it. */
export const SENTINEL_CYLINDERS = 65535;
export const SENTINEL_HEADS = 16;
export const SENTINEL_SECTORS_PER_TRACK = 255;

/** Seconds between the Unix epoch and the VHD epoch (2000-01-01T00:00:00Z). */
export const VHD_EPOCH_OFFSET_SECONDS = 946684800;

export const MIB = 1024 * 1024;
