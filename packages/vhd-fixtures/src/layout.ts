/**
 * Byte offsets of the VHD metadata fields (Microsoft VHD specification; docs in packages/vhd/vhd-format.md).
 * Written out here on purpose: the fixtures must not borrow the layout from the code they test.
 */
export const SECTOR = 512;
export const FOOTER_SIZE = 512;
export const DYNAMIC_HEADER_SIZE = 1024;

/** Footer field offsets. */
export const FooterField = {
  cookie: 0,
  features: 8,
  formatVersion: 12,
  dataOffset: 16,
  timestamp: 24,
  creatorApp: 28,
  creatorVersion: 32,
  creatorHostOs: 36,
  originalSize: 40,
  currentSize: 48,
  geometry: 56,
  diskType: 60,
  checksum: 64,
  uniqueId: 68,
  savedState: 84,
} as const;

/** Dynamic header field offsets. */
export const HeaderField = {
  cookie: 0,
  dataOffset: 8,
  tableOffset: 16,
  headerVersion: 24,
  maxTableEntries: 28,
  blockSize: 32,
  checksum: 36,
  parentUniqueId: 40,
  parentTimestamp: 56,
  parentUnicodeName: 64,
  parentLocators: 576,
} as const;

/** Footer disk types. */
export const DiskType = { fixed: 2, dynamic: 3, differencing: 4 } as const;
