import type { Client } from 'minio';
import { partsOf } from './multipart-parts.js';
import type { MultipartUploadInput } from './object-store.js';

/** Runs one S3 request of the upload under the per-request deadline. */
export type RequestRunner = <T>(what: string, work: () => Promise<T>) => Promise<T>;

/**
 * Streams `source` into `bucket/key` as a multipart upload (one PUT when it fits in one part), holding exactly two part buffers: one being filled
 * while the other uploads. Unlike minio's putObject it aborts the upload on any error (from the source or from
 * S3, including the initiation) and destroys the source, so a failed stream leaves no parts behind and never
 * hangs. The object only appears once every part is in and the source ended cleanly.
 */
export async function uploadMultipart(
  client: Client,
  request: RequestRunner,
  input: MultipartUploadInput,
): Promise<{ etag: string; size: number }> {
  const { bucket, key, source, partSize } = input;
  const parts: { part: number; etag: string }[] = [];
  let uploadId: string | undefined;
  let inFlight: Promise<void> | null = null;
  let size = 0;
  const uploadPart = (id: string, partNumber: number, part: Buffer) =>
    request(`upload part ${partNumber} of ${bucket}/${key}`, async () => {
      const { etag } = await client.uploadPart(
        {
          bucketName: bucket,
          objectName: key,
          uploadID: id,
          partNumber,
          headers: { 'Content-Length': part.length },
        },
        part,
      );
      return etag;
    });
  try {
    // Two parts are read before anything is sent: a source that fits in one part (most small images, and every
    // control-plane-sized one) becomes one PUT instead of initiate + part + complete, 3 round trips saved.
    const parts$ = partsOf(source, partSize)[Symbol.asyncIterator]();
    const first = await parts$.next();
    const second = first.done ? first : await parts$.next();
    if (second.done) {
      const body = first.done ? Buffer.alloc(0) : first.value;
      const { etag } = await request(`put ${bucket}/${key}`, () =>
        client.putObject(bucket, key, body, body.length, { ...input.metadata }),
      );
      return { etag, size: body.length };
    }
    const id = await request(`initiate upload of ${bucket}/${key}`, () =>
      client.initiateNewMultipartUpload(bucket, key, { ...input.metadata }),
    );
    uploadId = id;
    let partNumber = 0;
    const upload = (part: Buffer) => {
      partNumber++;
      size += part.length;
      const thisPart = partNumber;
      inFlight = uploadPart(id, thisPart, part).then((etag) => {
        parts.push({ part: thisPart, etag });
      });
      // Mark as handled now; the error is rethrown by the await above or below.
      inFlight.catch(() => {});
    };
    upload(first.value as Buffer);
    for (let next: IteratorResult<Buffer> = second; !next.done; next = await parts$.next()) {
      // Part N's buffer is refilled by part N+2: it must be uploaded before the next read.
      await inFlight;
      upload(next.value);
    }
    if (inFlight) await inFlight;
    parts.sort((a, b) => a.part - b.part);
    const { etag } = await request(`complete upload of ${bucket}/${key}`, () =>
      client.completeMultipartUpload(bucket, key, id, parts),
    );
    return { etag, size };
  } catch (error) {
    const pending = inFlight as Promise<void> | null; // assigned inside upload(), which TS does not follow
    if (pending) await pending.catch(() => {});
    const id = uploadId;
    if (id !== undefined) {
      await request(`abort upload of ${bucket}/${key}`, () =>
        client.abortMultipartUpload(bucket, key, id),
      ).catch(() => {});
    }
    source.destroy();
    throw error;
  }
}
