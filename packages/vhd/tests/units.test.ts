import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocationMapByteLength,
  chsGeometry,
  createAllocationMap,
  DEFAULT_MAX_VIRTUAL_SIZE,
  decodeAllocationMap,
  encodeAllocationMap,
  geometrySize,
  isGranuleAllocated,
  MAX_WRITABLE_VIRTUAL_SIZE,
  markGranuleAllocated,
  VHD_ERROR_CODES,
  VHD_ERROR_MESSAGES,
  VhdValidationError,
  vhdChecksum,
} from '../src/index.js';

describe('CHS geometry (MS spec algorithm)', () => {
  it('matches known values', () => {
    expect(chsGeometry(DEFAULT_MAX_VIRTUAL_SIZE)).toEqual({
      cylinders: 20560,
      heads: 16,
      sectorsPerTrack: 255,
    });
    expect(chsGeometry(67125248)).toEqual({ cylinders: 964, heads: 8, sectorsPerTrack: 17 });
    expect(chsGeometry(0)).toEqual({ cylinders: 0, heads: 4, sectorsPerTrack: 17 });
  });

  it('rounds down and never yields the sentinel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_WRITABLE_VIRTUAL_SIZE / 512 }), (sectors) => {
        const g = chsGeometry(sectors * 512);
        expect(geometrySize(g)).toBeLessThanOrEqual(sectors * 512);
        expect(g.cylinders === 65535 && g.heads === 16 && g.sectorsPerTrack === 255).toBe(false);
        expect(g.heads).toBeLessThanOrEqual(16);
        expect(g.cylinders).toBeLessThanOrEqual(65535);
      }),
    );
  });
});

describe('allocation map', () => {
  it('is 2560 bytes for 40 GiB', () => {
    expect(allocationMapByteLength(40 * 1024 ** 3)).toBe(2560);
    expect(allocationMapByteLength(2 * 1024 * 1024 + 1)).toBe(1);
  });

  it('is MSB-first and round-trips through base64', () => {
    const map = createAllocationMap(40 * 1024 ** 3);
    markGranuleAllocated(map, 0);
    markGranuleAllocated(map, 20479);
    expect(map[0]).toBe(0x80);
    expect(map[2559]).toBe(0x01);
    const decoded = decodeAllocationMap(encodeAllocationMap(map), 40 * 1024 ** 3);
    expect(decoded).toEqual(map);
    expect(isGranuleAllocated(decoded, 20479)).toBe(true);
    expect(isGranuleAllocated(decoded, 20478)).toBe(false);
    expect(() => decodeAllocationMap(encodeAllocationMap(map), 1024)).toThrow(RangeError);
    expect(() => markGranuleAllocated(map, 20480 * 8)).toThrow(RangeError);
  });
});

describe('checksum and errors', () => {
  it('skips the checksum field', () => {
    const bytes = Buffer.alloc(512, 1);
    expect(vhdChecksum(bytes, 64)).toBe(~508 >>> 0);
  });

  it('carries the seed texts', () => {
    expect(VHD_ERROR_CODES).toEqual([111, 396, 413, 523, 609, 614, 721]);
    for (const code of VHD_ERROR_CODES)
      expect(VHD_ERROR_MESSAGES[code].startsWith(`${code}: The image cannot be imported.`)).toBe(true);
    const error = new VhdValidationError(614, 'why');
    expect(error.toFailure()).toEqual({
      ok: false,
      code: 614,
      message: '614: The image cannot be imported. The internal UUID of the VHD is all zeros.',
      detail: 'why',
    });
  });
});
