import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDynamicVhdWriter, dynamicVhdSize } from './dynamic-writer.js';
import type { VhdValidationFailure } from './errors.js';
import { openFileBody, openFileRangeReader } from './file-source.js';
import { createFixedVhdWriter, fixedVhdSize } from './fixed-writer.js';
import { inspectVhdMetadata } from './inspect-metadata.js';
import { computeAllocationMap } from './raw-allocation.js';
import { readVhdAsRaw } from './reader.js';

export type ConvertTarget = 'raw' | 'dynamic' | 'fixed';
export type ConvertSource = 'auto' | 'vhd' | 'raw';

export type ConvertResult =
  | {
      ok: true;
      input: string;
      output: string;
      from: 'vhd' | 'raw';
      to: ConvertTarget;
      virtualSize: number;
      bytes: number;
    }
  | VhdValidationFailure;

/**
 * File-to-file conversion for the CLI. A VHD source (auto-detected by its footer) is read with
 * the reader; a dynamic target needs the allocation map first, so the source is read twice.
 */
export async function convertFile(
  input: string,
  output: string,
  to: ConvertTarget,
  from: ConvertSource = 'auto',
): Promise<ConvertResult> {
  const source = await openFileRangeReader(input);
  try {
    let kind: 'vhd' | 'raw' = 'raw';
    let virtualSize = source.size;
    if (from !== 'raw') {
      const inspected = await inspectVhdMetadata({ ...source, maxVirtualSize: Number.POSITIVE_INFINITY });
      if (inspected.ok) {
        kind = 'vhd';
        virtualSize = inspected.metadata.virtualSize;
      } else if (from === 'vhd' || inspected.code !== 396) {
        return inspected;
      }
    }
    const openRaw = (): Readable =>
      kind === 'vhd'
        ? readVhdAsRaw({
            size: source.size,
            readRange: source.readRange,
            openBody: (s, e) => openFileBody(input, s, e),
          })
        : openFileBody(input);

    let bytes = virtualSize;
    if (to === 'raw') {
      await pipeline(openRaw(), createWriteStream(output));
    } else if (to === 'fixed') {
      bytes = fixedVhdSize(virtualSize);
      await pipeline(openRaw(), createFixedVhdWriter({ virtualSize }), createWriteStream(output));
    } else {
      const allocationMap = await computeAllocationMap(openRaw(), virtualSize);
      bytes = dynamicVhdSize(virtualSize, allocationMap);
      await pipeline(
        openRaw(),
        createDynamicVhdWriter({ virtualSize, allocationMap }),
        createWriteStream(output),
      );
    }
    return { ok: true, input, output, from: kind, to, virtualSize, bytes };
  } finally {
    await source.close();
  }
}
