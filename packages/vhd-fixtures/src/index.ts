export {
  type HiddenDataSpec,
  makeBitmapHidesDataVhd,
  makeRejectedVhd,
  REJECTED_VHD_CODES,
  REJECTED_VHDS,
  type RejectedVhdCode,
  type RejectedVhdFixture,
  SMALL_MAX_VIRTUAL_SIZE,
} from './catalogue.js';
export { vhdChecksum } from './checksum.js';
export { FixtureDir } from './fixture-dir.js';
export { DiskType, DYNAMIC_HEADER_SIZE, FOOTER_SIZE, FooterField, HeaderField, SECTOR } from './layout.js';
export {
  batEntry,
  blockBitmapOffset,
  type DynamicHeaderPatch,
  dynamicHeader,
  type FooterPatch,
  hasDynamicHeader,
  headerOffset,
  type PatchFooterOptions,
  patchDynamicHeader,
  patchFooter,
  patchVhdFile,
  type RegionEdit,
  resignDynamicHeader,
  resignFooter,
  setBatEntry,
  tableOffset,
  tailFooter,
} from './patch.js';
export {
  makeVhd,
  type QemuImageInfo,
  type QemuImageOptions,
  type QemuWrite,
  qemuCreate,
  qemuInfo,
  qemuRawBytes,
  qemuToRaw,
  qemuVirtualSize,
  qemuWrite,
  type Subformat,
  type VhdSpec,
} from './qemu.js';
