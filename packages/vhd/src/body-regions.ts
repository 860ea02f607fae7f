import { DYNAMIC_HEADER_SIZE, SECTOR_SIZE } from './constants.js';
import type { VhdMetadata } from './inspect-metadata.js';

/**
 * The parts of the file the body pass must look at, in file order. Bytes between regions
 * (alignment padding some tools leave) are hashed but otherwise ignored.
 */
export type BodyRegion =
  /** Metadata already read by ranged reads; the streamed bytes must be identical. */
  | { kind: 'known'; start: number; end: number; bytes: Buffer; name: string }
  /** The BAT entries (not its padding); must match the table read earlier. */
  | { kind: 'bat'; start: number; end: number }
  | { kind: 'bitmap'; start: number; end: number; block: number }
  /** Disk content; `virtualStart` is the virtual offset of `start`. */
  | { kind: 'data'; start: number; end: number; block: number; virtualStart: number };

export function* bodyRegions(metadata: VhdMetadata): Generator<BodyRegion> {
  const tail: BodyRegion = {
    kind: 'known',
    start: metadata.footerOffset,
    end: metadata.size,
    bytes: metadata.footerBytes,
    name: 'tail footer',
  };
  const layout = metadata.dynamic;
  if (!layout) {
    yield { kind: 'data', start: 0, end: metadata.virtualSize, block: 0, virtualStart: 0 };
    yield tail;
    return;
  }

  const meta: BodyRegion[] = [
    {
      kind: 'known',
      start: 0,
      end: metadata.footerBytes.length,
      bytes: metadata.footerBytes,
      name: 'footer copy',
    },
    {
      kind: 'known',
      start: layout.headerOffset,
      end: layout.headerOffset + DYNAMIC_HEADER_SIZE,
      bytes: layout.headerBytes,
      name: 'dynamic header',
    },
    { kind: 'bat', start: layout.tableOffset, end: layout.tableOffset + layout.maxTableEntries * 4 },
  ];
  meta.sort((a, b) => a.start - b.start);

  // Merge the three metadata regions with the blocks; both lists are sorted and disjoint.
  let m = 0;
  for (const block of layout.blocksInFileOrder) {
    const start = layout.bat[block]! * SECTOR_SIZE;
    while (m < meta.length && meta[m]!.start < start) yield meta[m++]!;
    const dataStart = start + layout.bitmapSize;
    yield { kind: 'bitmap', start, end: dataStart, block };
    yield {
      kind: 'data',
      start: dataStart,
      end: dataStart + layout.blockSize,
      block,
      virtualStart: block * layout.blockSize,
    };
  }
  while (m < meta.length) yield meta[m++]!;
  yield tail;
}
