import type { Readable } from 'node:stream';
import type { ReadRange } from '@cloud-images/vhd';
import type { BucketItemStat, Client } from 'minio';

const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);

/** S3 "does not exist" answers (as opposed to transient faults, which must be retried). */
export function isNotFoundError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_FOUND_CODES.has(code);
}

export async function statObjectIfExists(
  client: Client,
  bucket: string,
  key: string,
): Promise<BucketItemStat | undefined> {
  try {
    return await client.statObject(bucket, key);
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}

export async function removeObjectIfExists(client: Client, bucket: string, key: string): Promise<void> {
  try {
    await client.removeObject(bucket, key);
  } catch (error) {
    if (!isNotFoundError(error)) throw error;
  }
}

/** A ReadRange (for the VHD package) over ranged GETs of one object. */
export function objectRangeReader(client: Client, bucket: string, key: string): ReadRange {
  return async (offset, length) => {
    if (length === 0) return Buffer.alloc(0);
    return readAll(await client.getPartialObject(bucket, key, offset, length));
  };
}

/** Streams object bytes [start, end) (end exclusive). */
export async function* objectByteRange(
  client: Client,
  bucket: string,
  key: string,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  if (end <= start) return;
  yield* await client.getPartialObject(bucket, key, start, end - start);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
