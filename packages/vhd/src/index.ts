export {
  ALLOCATION_GRANULE,
  type AllocationMap,
  allocationGranuleCount,
  allocationMapByteLength,
  countAllocatedGranules,
  createAllocationMap,
  decodeAllocationMap,
  encodeAllocationMap,
  isGranuleAllocated,
  markGranuleAllocated,
} from './allocation-map.js';
export {
  createVhdBodyVerifier,
  type VhdBodyVerifier,
  type VhdBodyVerifierOptions,
  type VhdFacts,
} from './body-verifier.js';
export { vhdChecksum } from './checksum.js';
export { CLI_USAGE, type CliIo, runCli } from './cli-main.js';
export { DEFAULT_BLOCK_SIZE, MAX_BAT_ENTRIES, SECTOR_SIZE } from './constants.js';
export { type ConvertResult, type ConvertSource, type ConvertTarget, convertFile } from './convert.js';
export type { DynamicLayout } from './dynamic-layout.js';
export { createDynamicVhdWriter, type DynamicVhdWriterOptions, dynamicVhdSize } from './dynamic-writer.js';
export {
  DEFAULT_MAX_VIRTUAL_SIZE,
  isVhdValidationError,
  VHD_ERROR_CODES,
  VHD_ERROR_MESSAGES,
  type VhdErrorCode,
  VhdValidationError,
  type VhdValidationFailure,
} from './errors.js';
export { fileSize, openFileBody, openFileRangeReader, validateVhdFile } from './file-source.js';
export {
  createFixedVhdWriter,
  type FixedVhdWriterOptions,
  fixedVhdCurrentSize,
  fixedVhdSize,
} from './fixed-writer.js';
export { parseFooter, type VhdFooter } from './footer.js';
export { chsGeometry, type Geometry, geometrySize, MAX_WRITABLE_VIRTUAL_SIZE } from './geometry.js';
export {
  configureSharedHashPool,
  HashPool,
  HashPoolError,
  type HashPoolOptions,
  type HashSession,
  sharedHashPool,
} from './hash-pool.js';
export {
  type InspectVhdMetadataInput,
  type InspectVhdMetadataResult,
  inspectVhdMetadata,
  type VhdDiskType,
  type VhdMetadata,
} from './inspect-metadata.js';
export { physicalSizeLimit } from './limits.js';
export type { ReadRange } from './range-reader.js';
export { computeAllocationMap } from './raw-allocation.js';
export { type ReadVhdAsRawInput, readVhdAsRaw } from './reader.js';
export {
  type ValidateVhdStreamInput,
  type VhdBodySource,
  type VhdValidationResult,
  type VhdValidationSuccess,
  validateVhdStream,
} from './validate-stream.js';
