import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type AllocationMap, countAllocatedGranules, createAllocationMap } from './allocation-map.js';
import { type BodyRegion, bodyRegions } from './body-regions.js';
import { asBuffer } from './bytes.js';
import { ContentScanner } from './content-scanner.js';
import { VhdValidationError } from './errors.js';
import { type HashPool, type HashSession, sharedHashPool } from './hash-pool.js';
import type { VhdDiskType, VhdMetadata } from './inspect-metadata.js';

/** The facts of an accepted image. */
export interface VhdFacts {
  diskType: VhdDiskType;
  virtualSize: number;
  physicalSize: number;
  uniqueId: string;
  /** Null for fixed disks. */
  blockSize: number | null;
  creatorApp: string;
  /** One bit per 2 MiB of the virtual disk; see allocation-map.ts. */
  allocationMap: AllocationMap;
  allocatedGranules: number;
  /** Glance `checksum`: hex MD5 of the whole object. */
  md5: string;
  /** Glance `os_hash_value` (os_hash_algo sha512): hex SHA-512 of the whole object. */
  sha512: string;
}

export interface VhdBodyVerifier extends Transform {
  /** Available once the stream has finished without error. */
  result(): VhdFacts;
}

export interface VhdBodyVerifierOptions {
  /**
   * Where SHA-512 is computed: the process's shared pool by default, so it runs on another core
   * while this thread computes MD5 and checks the structure; null hashes both on this thread.
   */
  hashPool?: HashPool | null;
}

/**
 * A pass-through Transform that checks the streamed body against the metadata read earlier,
 * hashes it and builds the allocation map. It errors with VhdValidationError on the first fault.
 */
export function createVhdBodyVerifier(
  metadata: VhdMetadata,
  options: VhdBodyVerifierOptions = {},
): VhdBodyVerifier {
  const pool = options.hashPool === undefined ? sharedHashPool() : options.hashPool;
  const state = new BodyVerifierState(metadata, pool);
  const transform = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let room: Promise<void> | undefined;
      try {
        room = state.consume(asBuffer(chunk));
      } catch (error) {
        callback(error as Error);
        return;
      }
      // Backpressure: the chunk moves on only once the hashing queue has room for more.
      if (room) room.then(() => callback(null, chunk), callback);
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      state.finish().then(() => callback(), callback);
    },
    destroy(error, callback) {
      state.abort();
      callback(error);
    },
  }) as VhdBodyVerifier;
  transform.result = () => state.result();
  return transform;
}

/** SHA-512 either on this thread or in a pool session, behind one interface. */
interface Sha512 {
  update(chunk: Buffer): Promise<void> | undefined;
  digest(): Promise<string>;
  abort(): void;
}

function inlineSha512(): Sha512 {
  const hash = createHash('sha512');
  return {
    update: (chunk) => {
      hash.update(chunk);
      return undefined;
    },
    digest: async () => hash.digest('hex'),
    abort: () => {},
  };
}

function pooledSha512(session: HashSession): Sha512 {
  return {
    update: (chunk) => session.update(chunk),
    digest: () => session.digest(),
    abort: () => session.abort(),
  };
}

class BodyVerifierState {
  private readonly md5 = createHash('md5');
  private readonly sha512: Sha512;
  private readonly regions: Generator<BodyRegion>;
  private region: BodyRegion | null;
  private position = 0;
  private facts: VhdFacts | null = null;
  private readonly map: AllocationMap;
  private readonly scanner: ContentScanner;

  constructor(
    private readonly metadata: VhdMetadata,
    pool: HashPool | null,
  ) {
    this.sha512 = pool ? pooledSha512(pool.open('sha512')) : inlineSha512();
    this.regions = bodyRegions(metadata);
    this.region = this.nextRegion();
    this.map = createAllocationMap(metadata.virtualSize);
    this.scanner = new ContentScanner(this.map, metadata.virtualSize, metadata.dynamic?.bitmapSize ?? 0);
  }

  /** Checks and hashes `chunk`; a returned promise means: wait before the next chunk. */
  consume(chunk: Buffer): Promise<void> | undefined {
    const chunkStart = this.position;
    const chunkEnd = chunkStart + chunk.length;
    if (chunkEnd > this.metadata.size) {
      throw new VhdValidationError(111, `body is longer than the object size ${this.metadata.size}`);
    }
    const room = this.sha512.update(chunk);
    this.md5.update(chunk);
    let pos = chunkStart;
    while (pos < chunkEnd && this.region) {
      const region = this.region;
      if (pos < region.start) {
        pos = Math.min(region.start, chunkEnd);
        continue;
      }
      const end = Math.min(region.end, chunkEnd);
      this.visit(region, chunk, pos - chunkStart, end - chunkStart, pos);
      pos = end;
      if (pos >= region.end) this.region = this.nextRegion();
    }
    this.position = chunkEnd;
    return room;
  }

  abort(): void {
    if (!this.facts) this.sha512.abort();
  }

  async finish(): Promise<void> {
    if (this.position !== this.metadata.size) {
      throw new VhdValidationError(111, `body ended at ${this.position} of ${this.metadata.size} bytes`);
    }
    const sha512 = await this.sha512.digest();
    const m = this.metadata;
    this.facts = {
      diskType: m.diskType,
      virtualSize: m.virtualSize,
      physicalSize: m.size,
      uniqueId: m.uniqueId,
      blockSize: m.dynamic?.blockSize ?? null,
      creatorApp: m.footer.creatorApp,
      allocationMap: this.map,
      allocatedGranules: countAllocatedGranules(this.map),
      md5: this.md5.digest('hex'),
      sha512,
    };
  }

  result(): VhdFacts {
    if (!this.facts) throw new Error('the VHD body verifier has not finished');
    return this.facts;
  }

  private nextRegion(): BodyRegion | null {
    const next = this.regions.next();
    return next.done ? null : next.value;
  }

  /** Handles chunk[from, to), which is file bytes [filePos, filePos + to - from) of `region`. */
  private visit(region: BodyRegion, chunk: Buffer, from: number, to: number, filePos: number): void {
    const offsetInRegion = filePos - region.start;
    switch (region.kind) {
      case 'known':
        if (chunk.compare(region.bytes, offsetInRegion, offsetInRegion + (to - from), from, to) !== 0) {
          throw new VhdValidationError(111, `${region.name} changed between the ranged reads and the body`);
        }
        return;
      case 'bat':
        this.checkBat(chunk, from, to, offsetInRegion);
        return;
      case 'bitmap':
        this.scanner.takeBitmap(chunk, from, to, offsetInRegion, region.block);
        return;
      case 'data':
        this.scanner.scanData(
          chunk,
          from,
          to,
          region.virtualStart + offsetInRegion,
          offsetInRegion,
          region.block,
        );
        return;
    }
  }

  private checkBat(chunk: Buffer, from: number, to: number, batOffset: number): void {
    const bat = this.metadata.dynamic!.bat;
    for (let i = from, k = batOffset; i < to; i++, k++) {
      const expected = (bat[k >>> 2]! >>> (8 * (3 - (k & 3)))) & 0xff;
      if (chunk[i] !== expected) {
        throw new VhdValidationError(111, `BAT byte ${k} changed between the ranged reads and the body`);
      }
    }
  }
}
