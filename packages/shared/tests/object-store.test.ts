import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { s3ClientFor, uniqueName } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createObjectStoreFactory } from '../src/storage/minio-object-store.js';
import {
  ObjectStoreInvalidNameError,
  ObjectStoreNotFoundError,
  ObjectStoreTimeoutError,
} from '../src/storage/object-store-errors.js';
import { defaultObjectStoreTimeouts } from '../src/storage/timed-agent.js';

const stack = inject('stack');
const tenant = stack.s3.tenants[0]!;
const target = { endpoint: stack.s3.endpoint, region: stack.s3.region, ...tenant };
const PART = 8 * 1024 * 1024;
const openObjectStore = createObjectStoreFactory(defaultObjectStoreTimeouts);
const store = openObjectStore(target);
/** A plain minio client: set-up and clean-up the port deliberately cannot do. */
const client = s3ClientFor(stack, tenant);
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

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  expect(await store.bucketExists(bucket)).toBe(false);
  await store.makeBucket(bucket, stack.s3.region);
  expect(await store.bucketExists(bucket)).toBe(true);
});

afterAll(async () => {
  const objects = await client.listObjectsV2(bucket, '', true).toArray();
  await client.removeObjects(
    bucket,
    objects.map((o: { name: string }) => o.name),
  );
  for (const upload of await store.listIncompleteUploads(bucket, '')) {
    await client.abortMultipartUpload(bucket, upload.key, upload.uploadId);
  }
  await client.removeBucket(bucket);
});

describe('object store', () => {
  const total = 100 * 1024 * 1024 + 512 * 3; // not a multiple of the part size: the last part is short
  const chunk = 1024 * 1024;
  const lastChunkIndex = Math.floor((total - 1) / chunk);
  const lastChunk = chunkAt(lastChunkIndex, total - lastChunkIndex * chunk);

  it('streams a 100 MB multipart upload and serves a ranged read of its last 512 bytes', async () => {
    const uploaded = await store.uploadMultipart({
      bucket,
      key: 'big.bin',
      source: generatedStream(total, chunk),
      partSize: PART,
      metadata: { 'x-amz-meta-written-by': 'object-store-test' },
    });
    expect(uploaded.size).toBe(total);

    const stat = await store.stat(bucket, 'big.bin');
    expect(stat.size).toBe(total);
    // A multipart ETag ends in -<parts>; 100 MiB in 8 MiB parts is 13 parts.
    expect(stat.etag).toMatch(/-13$/);
    expect(stat.metadata['written-by']).toBe('object-store-test');

    const tail = await store.readRange(bucket, 'big.bin', total - 512, 512);
    expect(tail.equals(lastChunk.subarray(lastChunk.length - 512))).toBe(true);
    const streamedTail = await readAll(await store.getRangeStream(bucket, 'big.bin', total - 512, total));
    expect(streamedTail.equals(tail)).toBe(true);

    expect(await store.listIncompleteUploads(bucket, '')).toEqual([]);
    expect(await client.listIncompleteUploads(bucket, '', true).toArray()).toEqual([]);
  });

  it('caps a ranged read at the length asked for, and at the end of the object', async () => {
    const head = await store.readRange(bucket, 'big.bin', 0, 100);
    expect(head.equals(chunkAt(0, 100))).toBe(true);
    const pastEnd = await store.readRange(bucket, 'big.bin', total - 10, 4096);
    expect(pastEnd.equals(lastChunk.subarray(lastChunk.length - 10))).toBe(true);
    expect(await store.readRange(bucket, 'big.bin', 5, 0)).toHaveLength(0);
  });

  it('reads a prefix and the total size in one GET: part of a big object, all of a small or empty one', async () => {
    const prefix = await store.readPrefix(bucket, 'big.bin', 100);
    expect(prefix.size).toBe(total);
    expect(prefix.bytes.equals(chunkAt(0, 100))).toBe(true);
    const body = Buffer.from('a small object');
    await client.putObject(bucket, 'tiny.bin', body, body.length);
    expect(await store.readPrefix(bucket, 'tiny.bin', 4096)).toEqual({ size: body.length, bytes: body });
    await client.putObject(bucket, 'empty.bin', Buffer.alloc(0), 0);
    expect(await store.readPrefix(bucket, 'empty.bin', 4096)).toEqual({ size: 0, bytes: Buffer.alloc(0) });
  });

  it('streams a whole object', async () => {
    await store.uploadMultipart({
      bucket,
      key: 'small.bin',
      source: generatedStream(3000, 1000),
      partSize: PART,
    });
    const body = await readAll(await store.getStream(bucket, 'small.bin'));
    expect(body.equals(Buffer.concat([chunkAt(0, 1000), chunkAt(1, 1000), chunkAt(2, 1000)]))).toBe(true);
  });

  it('uploads an empty source as an empty object', async () => {
    await store.uploadMultipart({ bucket, key: 'empty.bin', source: Readable.from([]), partSize: PART });
    expect((await store.stat(bucket, 'empty.bin')).size).toBe(0);
  });

  it('aborts the upload when the source fails after some parts, leaving no object and no parts', async () => {
    const failure = new Error('source broke');
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= 2 * PART + 1024) return this.destroy(failure);
        this.push(chunkAt(sent / chunk, chunk));
        sent += chunk;
      },
    });
    await expect(store.uploadMultipart({ bucket, key: 'broken.bin', source, partSize: PART })).rejects.toBe(
      failure,
    );
    expect(await store.listIncompleteUploads(bucket, 'broken.bin')).toEqual([]);
    await expect(store.stat(bucket, 'broken.bin')).rejects.toBeInstanceOf(ObjectStoreNotFoundError);
  });

  it('lists the objects under a prefix with their last-modified time', async () => {
    await client.putObject(bucket, 'listed/a.bin', Buffer.from('a'), 1);
    await client.putObject(bucket, 'listed/b.bin', Buffer.from('b'), 1);
    const listed = await store.listObjects(bucket, 'listed/');
    expect(listed.map((o) => o.key).sort()).toEqual(['listed/a.bin', 'listed/b.bin']);
    for (const object of listed) expect(object.lastModified).toBeInstanceOf(Date);
  });

  it("lists and aborts a key's unfinished uploads, and only that key's", async () => {
    const first = await client.initiateNewMultipartUpload(bucket, 'pending.bin', {});
    const second = await client.initiateNewMultipartUpload(bucket, 'pending.bin', {});
    const other = await client.initiateNewMultipartUpload(bucket, 'pending.bin.other', {});
    const listed = await store.listIncompleteUploads(bucket, 'pending.bin');
    expect(listed.map((u) => u.uploadId).sort()).toEqual([first, second, other].sort());

    expect(await store.abortIncompleteUploads(bucket, 'pending.bin')).toBe(2);
    expect(await store.listIncompleteUploads(bucket, 'pending')).toEqual([
      { key: 'pending.bin.other', uploadId: other, initiated: expect.any(Date) },
    ]);
    expect(await store.abortIncompleteUploads(bucket, 'pending.bin')).toBe(0);
    expect(await store.abortIncompleteUploads(bucket, 'pending.bin.other')).toBe(1);
  });

  it('answers NotFound for a missing key and for a missing bucket, on every read', async () => {
    const missingBucket = uniqueName('nobucket');
    for (const [b, k] of [
      [bucket, 'no-such-key'],
      [missingBucket, 'no-such-key'],
    ] as const) {
      await expect(store.stat(b, k), `stat ${b}`).rejects.toBeInstanceOf(ObjectStoreNotFoundError);
      await expect(store.readRange(b, k, 0, 10), `readRange ${b}`).rejects.toBeInstanceOf(
        ObjectStoreNotFoundError,
      );
      await expect(store.getStream(b, k), `getStream ${b}`).rejects.toBeInstanceOf(ObjectStoreNotFoundError);
      await expect(store.readPrefix(b, k, 10), `readPrefix ${b}`).rejects.toBeInstanceOf(
        ObjectStoreNotFoundError,
      );
      await expect(store.getRangeStream(b, k, 0, 10), `getRangeStream ${b}`).rejects.toBeInstanceOf(
        ObjectStoreNotFoundError,
      );
    }
    expect(await store.bucketExists(missingBucket)).toBe(false);
  });

  it('removes an object; removing a missing object, or one in a missing bucket, is fine', async () => {
    await store.uploadMultipart({
      bucket,
      key: 'doomed.bin',
      source: Readable.from([Buffer.from('x')]),
      partSize: PART,
    });
    await store.remove(bucket, 'doomed.bin');
    await expect(store.stat(bucket, 'doomed.bin')).rejects.toBeInstanceOf(ObjectStoreNotFoundError);
    await store.remove(bucket, 'doomed.bin');
    await store.remove(uniqueName('nobucket'), 'doomed.bin');
  });

  it('answers InvalidName for a name S3 cannot take', async () => {
    await expect(store.stat('Not_A_Bucket', 'key')).rejects.toBeInstanceOf(ObjectStoreInvalidNameError);
    await expect(store.bucketExists('a')).rejects.toBeInstanceOf(ObjectStoreInvalidNameError);
  });

  it('rejects a request signed with a wrong secret, passing the S3 error through untyped', async () => {
    const wrong = openObjectStore({ ...target, secretKey: `${tenant.secretKey}-wrong` });
    const error = await wrong.readRange(bucket, 'big.bin', 0, 10).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: expect.stringMatching(/SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/),
    });
    for (const typed of [ObjectStoreNotFoundError, ObjectStoreInvalidNameError, ObjectStoreTimeoutError]) {
      expect(error).not.toBeInstanceOf(typed);
    }
    // The right secret still works, so the rejection is about the signature and nothing else.
    await expect(store.readRange(bucket, 'big.bin', 0, 10)).resolves.toHaveLength(10);
  });
});
