import { join } from 'node:path';
import { blockBitmapOffset, type FooterPatch, patchFooter, patchVhdFile, tailFooter } from './patch.js';
import { makeVhd, type QemuWrite, type VhdSpec } from './qemu.js';

/** Rackspace import error codes the catalogue has a file for. */
export const REJECTED_VHD_CODES = [111, 396, 413, 523, 609, 614, 721] as const;
export type RejectedVhdCode = (typeof REJECTED_VHD_CODES)[number];

/**
 * The maximum virtual size a caller must configure for the 609 fixture to be rejected: the physical limit
 * derived from 4 MiB is about 4 MiB, and the 609 file is a 16 MiB fixed disk.
 */
export const SMALL_MAX_VIRTUAL_SIZE = 4 * 1024 * 1024;

export interface RejectedVhdFixture {
  /** What is wrong with the file, for test names and failure messages. */
  description: string;
  /** Writes the fixture to `path`. */
  make(path: string): Promise<void>;
  /** Set when the file is only rejected by a caller whose maximum virtual size is at most this (609). */
  maxVirtualSize?: number;
}

const DATA: QemuWrite = { pattern: 0xab, offset: 0, length: '64k' };
const BASE_FIXED: VhdSpec = { subformat: 'fixed', size: '2M', forceSize: true, writes: [DATA] };
const BASE_DYNAMIC: VhdSpec = { subformat: 'dynamic', size: '4M', forceSize: true, writes: [DATA] };

/** A small valid qemu image whose footer is then patched (and on a dynamic disk, its copy too). */
function patched(base: VhdSpec, patch: FooterPatch): (path: string) => Promise<void> {
  return async (path) => {
    await makeVhd(path, base);
    await patchVhdFile(path, (image) => patchFooter(image, patch));
  };
}

/**
 * One file per code, each valid except for the one fault, under the default 40 GiB limit (609 excepted: its
 * `maxVirtualSize` is the limit the caller must configure). Footer patches recompute the checksum, so only
 * the intended rule trips.
 */
export const REJECTED_VHDS = {
  111: {
    description: 'a fixed disk whose footer features lack the reserved bit (features = 0)',
    make: patched(BASE_FIXED, { features: 0 }),
  },
  396: {
    description: 'a fixed disk whose footer cookie is "notavhd!" (checksum recomputed): no valid footer',
    make: patched(BASE_FIXED, { cookie: 'notavhd!' }),
  },
  413: {
    description: 'a sparse dynamic disk of 41 GiB virtual, well under 1 MiB on disk',
    make: async (path) => {
      await makeVhd(path, { subformat: 'dynamic', size: '41G', forceSize: true });
    },
  },
  523: {
    description: 'a fixed disk whose footer disk type is 5 (neither fixed, dynamic nor differencing)',
    make: patched(BASE_FIXED, { diskType: 5 }),
  },
  609: {
    description:
      'a 16 MiB fixed disk, larger than the physical limit of a 4 MiB maximum virtual size (maxVirtualSize); ' +
      'valid under the default limit',
    make: async (path) => {
      await makeVhd(path, { subformat: 'fixed', size: '16M', forceSize: true });
    },
    maxVirtualSize: SMALL_MAX_VIRTUAL_SIZE,
  },
  614: {
    description: 'a fixed disk whose footer unique id is all zeros',
    make: patched(BASE_FIXED, { uniqueId: Buffer.alloc(16) }),
  },
  721: {
    description: 'a dynamic disk whose footer and footer copy say differencing (disk type 4)',
    make: patched(BASE_DYNAMIC, { diskType: 4 }),
  },
} satisfies Record<RejectedVhdCode, RejectedVhdFixture>;

/** Writes the catalogue's fixture for `code` to `<dir>/rejected-<code>.vhd` and returns that path. */
export async function makeRejectedVhd(dir: string, code: RejectedVhdCode): Promise<string> {
  const path = join(dir, `rejected-${code}.vhd`);
  await REJECTED_VHDS[code].make(path);
  return path;
}

export interface HiddenDataSpec {
  /** Virtual size of the dynamic disk. */
  size: string | number;
  writes: QemuWrite[];
  /** A block whose first 8 sectors the writes fill with non-zero data. */
  block: number;
}

/**
 * A 111 only the body pass can find: a dynamic disk whose metadata is valid but whose sector bitmap for
 * `block` marks sectors 0-7 absent although they hold data. Returns where that bitmap byte is in the file.
 */
export async function makeBitmapHidesDataVhd(
  path: string,
  { size, writes, block }: HiddenDataSpec,
): Promise<{ path: string; bitmapOffset: number }> {
  await makeVhd(path, { subformat: 'dynamic', size, forceSize: true, writes });
  let bitmapOffset = -1;
  await patchVhdFile(path, (image) => {
    bitmapOffset = blockBitmapOffset(image, block);
    if (bitmapOffset >= image.length - tailFooter(image).length) {
      throw new Error(`block ${block} is not allocated: write data into it first`);
    }
    image[bitmapOffset] = 0;
  });
  return { path, bitmapOffset };
}
