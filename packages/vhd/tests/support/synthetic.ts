import { randomBytes } from 'node:crypto';
import { encodeDynamicHeader } from '../../src/dynamic-header.js';
import { encodeFooter } from '../../src/footer.js';
import { chsGeometry } from '../../src/index.js';

/**
 * Tiny hand-built images for the fuzz tests: small enough to validate thousands of times.
 * The dynamic one uses 4 KiB blocks stored out of order, one with a partial sector bitmap.
 */
const VIRTUAL = 64 * 1024;
const BLOCK = 4096;

function footer(diskType: number, dataOffset: bigint): Buffer {
  return encodeFooter({
    dataOffset,
    timestamp: 1,
    creatorApp: 'test',
    creatorVersion: 1,
    creatorHostOs: 'Wi2k',
    originalSize: VIRTUAL,
    currentSize: VIRTUAL,
    geometry: chsGeometry(VIRTUAL),
    diskType,
    uniqueId: randomBytes(16),
  });
}

export function tinyFixed(): Buffer {
  const data = Buffer.alloc(VIRTUAL);
  data.fill(0x3c, 5000, 9000);
  return Buffer.concat([data, footer(2, 0xffffffffffffffffn)]);
}

export function tinyDynamic(): Buffer {
  const entries = VIRTUAL / BLOCK;
  const tail = footer(3, 512n);
  const header = encodeDynamicHeader({ tableOffset: 1536, maxTableEntries: entries, blockSize: BLOCK });
  const bat = Buffer.alloc(512, 0xff);
  const blocks: Buffer[] = [];
  let sector = 4;
  for (const [block, fillFrom, presentSectors] of [
    [9, 0, 8],
    [2, 100, 4],
    [14, 4000, 8],
  ] as const) {
    bat.writeUInt32BE(sector, block * 4);
    const bitmap = Buffer.alloc(512);
    bitmap[0] = (0xff00 >> presentSectors) & 0xff;
    const data = Buffer.alloc(BLOCK);
    data.fill(block + 1, fillFrom, Math.min(BLOCK, presentSectors * 512));
    blocks.push(bitmap, data);
    sector += (512 + BLOCK) / 512;
  }
  return Buffer.concat([tail, header, bat, ...blocks, tail]);
}
