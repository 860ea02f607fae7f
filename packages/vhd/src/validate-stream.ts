import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createVhdBodyVerifier, type VhdFacts } from './body-verifier.js';
import { VhdValidationError, type VhdValidationFailure } from './errors.js';
import type { HashPool } from './hash-pool.js';
import { inspectVhdMetadata } from './inspect-metadata.js';
import type { ReadRange } from './range-reader.js';

export type VhdBodySource = Readable | AsyncIterable<Uint8Array>;

export interface ValidateVhdStreamInput {
  size: number;
  readRange: ReadRange;
  /**
   * The whole object, streamed once. Pass a function to open it lazily: it is then only called
   * when the metadata checks pass. A stream passed directly is destroyed if they fail.
   */
  body: VhdBodySource | (() => VhdBodySource | Promise<VhdBodySource>);
  maxVirtualSize?: number;
  /** Where SHA-512 runs; see VhdBodyVerifierOptions. Defaults to the process's shared pool. */
  hashPool?: HashPool | null;
}

export type VhdValidationSuccess = { ok: true } & VhdFacts;
export type VhdValidationResult = VhdValidationSuccess | VhdValidationFailure;

/**
 * Ranged-read checks, then one pass over the body. Bad input never throws; it yields
 * `{ ok: false, code, message, detail }`. I/O errors from readRange or the body do throw.
 */
export async function validateVhdStream(input: ValidateVhdStreamInput): Promise<VhdValidationResult> {
  const inspected = await inspectVhdMetadata(input);
  if (!inspected.ok) {
    if (typeof input.body !== 'function') destroyQuietly(input.body);
    return inspected;
  }
  const body = typeof input.body === 'function' ? await input.body() : input.body;
  const verifier = createVhdBodyVerifier(
    inspected.metadata,
    input.hashPool === undefined ? {} : { hashPool: input.hashPool },
  );
  const discard = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  try {
    await pipeline(body, verifier, discard);
  } catch (error) {
    if (error instanceof VhdValidationError) return error.toFailure();
    throw error;
  }
  return { ok: true, ...verifier.result() };
}

function destroyQuietly(body: VhdBodySource): void {
  const maybe = body as { destroy?: (error?: Error) => void };
  if (typeof maybe.destroy === 'function') maybe.destroy();
}
