import type { Readable, Transform } from 'node:stream';
import type { ImageRow, ImageStore } from '@cloud-images/shared';
import {
  createDynamicVhdWriter,
  createFixedVhdWriter,
  decodeAllocationMap,
  dynamicVhdSize,
  fixedVhdSize,
  readVhdAsRaw,
} from '@cloud-images/vhd';
import type { ExportFormat } from './export-task-input.js';

export interface VhdExportStream {
  raw: Readable;
  writer: Transform;
  /** Exact length of the VHD the writer produces. */
  size: number;
}

/**
 * The stored image re-encoded as a fresh VHD: stored VHD → raw disk (ranged reads) → VHD writer.
 * A dynamic export holds only the 2 MiB blocks the import found allocated, so sparse disks stay small.
 */
export function openVhdExportStream(
  store: ImageStore,
  image: ImageRow,
  format: ExportFormat,
): VhdExportStream {
  const { storageKey, size, virtualSize, allocationMap } = image;
  if (!storageKey || size === null || virtualSize === null || allocationMap === null) {
    throw new Error(`image ${image.id} lacks the stored facts an export needs`);
  }
  const raw = readVhdAsRaw({
    size,
    readRange: (offset, length) => store.objects.readRange(store.bucket, storageKey, offset, length),
    openBody: (start, end) => objectByteRange(store, storageKey, start, end),
  });
  if (format === 'fixed') {
    return { raw, writer: createFixedVhdWriter({ virtualSize }), size: fixedVhdSize(virtualSize) };
  }
  const map = decodeAllocationMap(allocationMap, virtualSize);
  return {
    raw,
    writer: createDynamicVhdWriter({ virtualSize, allocationMap: map }),
    size: dynamicVhdSize(virtualSize, map),
  };
}

/** Streams stored bytes [start, end); the ranged GET is only sent when the reader starts pulling. */
async function* objectByteRange(
  store: ImageStore,
  key: string,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  yield* await store.objects.getRangeStream(store.bucket, key, start, end);
}
