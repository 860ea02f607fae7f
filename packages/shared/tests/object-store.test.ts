import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { uniqueName } from '@cloud-images/test-stack';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createObjectStoreClient } from '../src/storage/object-store.js';

const stack = inject('stack');
const tenant = stack.s3.tenants[0]!;
const target = { endpoint: stack.s3.endpoint, region: stack.s3.region, ...tenant };
const PART = 8 * 1024 * 1024;
const client = createObjectStoreClient(target, PART);
const bucket = uniqueName('objstore');

/** Deterministic pseudo-random bytes: chunk i is SHA-512 expanded from i, so any range can be recomputed. */
function chunkAt(index: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, n = 0; off < size; off += 64, n++) {
    createHash('sha512').update(`${index}:${n}`).digest().copy(out, off);
  }
  return out;
}

function generatedStream(total: number, chunkSize: number): Readable {
  let index = 0;
  return new Readable({
    read() {
      const offset = index * chunkSize;
      if (offset >= total) return this.push(null);
      this.push(chunkAt(index, Math.min(chunkSize, total - offset)));
      index++;
    },
  });
}

afterAll(async () => {
  const objects = await client.listObjectsV2(bucket, '', true).toArray();
  await client.removeObjects(
    bucket,
    objects.map((o: { name: string }) => o.name),
  );
  await client.removeBucket(bucket);
});

describe('object store', () => {
  it('streams a 100 MB multipart upload and serves a ranged read of its last 512 bytes', async () => {
    await client.makeBucket(bucket, stack.s3.region);
    const total = 100 * 1024 * 1024 + 512 * 3; // not a multiple of the part size: the last part is short
    const chunk = 1024 * 1024;
    await client.putObject(bucket, 'big.bin', generatedStream(total, chunk), total);

    const stat = await client.statObject(bucket, 'big.bin');
    expect(stat.size).toBe(total);
    // A multipart ETag ends in -<parts>; 100 MiB in 8 MiB parts is 13 parts.
    expect(stat.etag).toMatch(/-13$/);

    const tail = await client.getPartialObject(bucket, 'big.bin', total - 512, 512);
    const chunks: Buffer[] = [];
    for await (const c of tail) chunks.push(c as Buffer);
    const lastChunkIndex = Math.floor((total - 1) / chunk);
    const lastChunk = chunkAt(lastChunkIndex, total - lastChunkIndex * chunk);
    expect(Buffer.concat(chunks).equals(lastChunk.subarray(lastChunk.length - 512))).toBe(true);

    const pending = await client.listIncompleteUploads(bucket, '', true).toArray();
    expect(pending).toEqual([]);
  });

  it('rejects a request signed with a wrong secret', async () => {
    const wrong = createObjectStoreClient({ ...target, secretKey: `${tenant.secretKey}-wrong` }, PART);
    await expect(wrong.listBuckets()).rejects.toMatchObject({
      code: expect.stringMatching(/SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/),
    });
    // The right secret still works, so the rejection is about the signature and nothing else.
    await expect(client.listBuckets()).resolves.toBeInstanceOf(Array);
  });
});
