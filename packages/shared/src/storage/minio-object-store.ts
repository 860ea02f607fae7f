import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { Client } from 'minio';
import { listIncompleteUploads } from './minio-incomplete-uploads.js';
import { type RequestRunner, uploadMultipart } from './minio-multipart-upload.js';
import {
  BAD_CREDENTIAL_CODES,
  type CredentialCheck,
  type IncompleteUpload,
  type MultipartUploadInput,
  type ObjectStat,
  type ObjectStore,
  type StoredObject,
} from './object-store.js';
import { ObjectStoreNotFoundError, toObjectStoreError } from './object-store-errors.js';
import { createTrackingTransport, withDeadline } from './request-deadline.js';
import { createTimedAgent, type ObjectStoreTimeouts } from './timed-agent.js';

export interface ObjectStoreTarget {
  /** e.g. http://127.0.0.1:8080 or https://s3.example.com */
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/**
 * Builds ObjectStores that share one connection pool per protocol and one set of timeouts; the worker makes one
 * per tenant and task, so they must not each keep their own idle sockets.
 */
export function createObjectStoreFactory(
  timeouts: ObjectStoreTimeouts,
): (target: ObjectStoreTarget) => ObjectStore {
  const transports = {
    'http:': { agent: createTimedAgent('http:', timeouts), transport: createTrackingTransport('http:') },
    'https:': { agent: createTimedAgent('https:', timeouts), transport: createTrackingTransport('https:') },
  };
  return (target) => {
    const url = new URL(target.endpoint);
    const useSSL = url.protocol === 'https:';
    const { agent, transport } = transports[useSSL ? 'https:' : 'http:'];
    const client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      region: target.region,
      accessKey: target.accessKey,
      secretKey: target.secretKey,
      // Path-style works with MinIO, Swift s3api and AWS alike; virtual-host style needs DNS we may not have.
      pathStyle: true,
      transport,
      transportAgent: agent,
    });
    return new MinioObjectStore(client, timeouts.requestMs);
  };
}

/** The ObjectStore port on a minio client. Every call runs under the per-request deadline. */
class MinioObjectStore implements ObjectStore {
  private readonly request: RequestRunner;

  constructor(
    private readonly client: Client,
    requestMs: number,
  ) {
    this.request = (what, work) => withDeadline(requestMs, what, work);
  }

  async stat(bucket: string, key: string): Promise<ObjectStat> {
    const stat = await this.request(`stat ${bucket}/${key}`, () => this.client.statObject(bucket, key));
    return { size: stat.size, etag: stat.etag, metadata: stat.metaData as Record<string, string> };
  }

  bucketExists(bucket: string): Promise<boolean> {
    return this.request(`bucket exists ${bucket}`, () => this.client.bucketExists(bucket));
  }

  makeBucket(bucket: string, region: string): Promise<void> {
    return this.request(`make bucket ${bucket}`, () => this.client.makeBucket(bucket, region));
  }

  readRange(bucket: string, key: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Promise.resolve(Buffer.alloc(0));
    return this.request(`read ${bucket}/${key} [${offset}, +${length})`, async () => {
      const response = (await this.client.getPartialObject(bucket, key, offset, length)) as IncomingMessage;
      if (offset > 0 && response.statusCode === 200) {
        response.destroy();
        throw new Error(`S3 ignored the Range of a read of ${bucket}/${key} (200 instead of 206)`);
      }
      return readAtMost(response, length);
    });
  }

  readPrefix(bucket: string, key: string, maxBytes: number): Promise<{ size: number; bytes: Buffer }> {
    return this.request(`read ${bucket}/${key} [0, +${maxBytes})`, async () => {
      let response: IncomingMessage;
      try {
        response = (await this.client.getPartialObject(bucket, key, 0, maxBytes)) as IncomingMessage;
      } catch (error) {
        // An empty object has no byte 0: S3 answers 416 InvalidRange. Its size then comes from a stat.
        if ((error as { code?: string }).code !== 'InvalidRange') throw error;
        return { size: (await this.client.statObject(bucket, key)).size, bytes: Buffer.alloc(0) };
      }
      // 206 names the total after the slash of Content-Range; a server that ignores the Range sends all of it (200).
      const range = /\/(\d+)\s*$/.exec(String(response.headers['content-range'] ?? ''));
      const length = Number(response.headers['content-length'] ?? Number.NaN);
      const size = range ? Number(range[1]) : length;
      if (!Number.isFinite(size)) {
        response.destroy();
        throw new Error(`S3 gave no size for ${bucket}/${key} (no Content-Range or Content-Length)`);
      }
      return { size, bytes: await readAtMost(response, maxBytes) };
    });
  }

  async getStream(bucket: string, key: string): Promise<Readable> {
    const response = await this.request(`get ${bucket}/${key}`, () => this.client.getObject(bucket, key));
    return withTypedErrors(response as IncomingMessage);
  }

  async getRangeStream(bucket: string, key: string, start: number, end: number): Promise<Readable> {
    if (end <= start) return new PassThrough().end();
    const response = await this.request(`get ${bucket}/${key} [${start}, ${end})`, () =>
      this.client.getPartialObject(bucket, key, start, end - start),
    );
    return withTypedErrors(response as IncomingMessage);
  }

  uploadMultipart(input: MultipartUploadInput): Promise<{ etag: string; size: number }> {
    return uploadMultipart(this.client, this.request, input);
  }

  async listObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
    const items = await this.request(`list objects of ${bucket}/${prefix}`, () =>
      this.client.listObjectsV2(bucket, prefix, true).toArray(),
    );
    return (items as { name?: string; lastModified?: Date }[])
      .filter((item) => typeof item.name === 'string' && item.lastModified instanceof Date)
      .map((item) => ({ key: item.name as string, lastModified: item.lastModified as Date }));
  }

  listIncompleteUploads(bucket: string, prefix: string): Promise<IncompleteUpload[]> {
    return listIncompleteUploads(this.client, this.request, bucket, prefix);
  }

  async abortIncompleteUploads(bucket: string, key: string): Promise<number> {
    const uploads = (await this.listIncompleteUploads(bucket, key)).filter((upload) => upload.key === key);
    for (const upload of uploads) {
      await this.request(`abort upload of ${bucket}/${key}`, () =>
        this.client.abortMultipartUpload(bucket, key, upload.uploadId),
      ).catch(ignoreNotFound);
    }
    return uploads.length;
  }

  async checkCredentials(): Promise<CredentialCheck> {
    try {
      await this.request('list buckets', () => this.client.listBuckets());
      return { result: 'accepted' };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && BAD_CREDENTIAL_CODES.has(code)) return { result: 'rejected', code };
      if (code === 'AccessDenied') return { result: 'access-denied' };
      const message = error instanceof Error ? error.message : String(error);
      return { result: 'unverified', detail: `${typeof code === 'string' ? `${code}: ` : ''}${message}` };
    }
  }

  async remove(bucket: string, key: string): Promise<void> {
    await this.request(`remove ${bucket}/${key}`, () => this.client.removeObject(bucket, key)).catch(
      ignoreNotFound,
    );
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof ObjectStoreNotFoundError)) throw error;
}

/** Reads a response body, stopping at `limit` bytes even if the server sends more. */
async function readAtMost(response: IncomingMessage, limit: number): Promise<Buffer> {
  const socket = response.socket;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const wanted = Math.min(chunk.length, limit - total);
      if (wanted > 0) chunks.push(wanted === chunk.length ? chunk : chunk.subarray(0, wanted));
      total += wanted;
      // More than asked for: leaving the loop destroys the response, so the surplus is never read. A response of
      // exactly the right length is read to its end instead, which keeps its connection reusable.
      if (wanted < chunk.length) break;
    }
  } catch (error) {
    throw toObjectStoreError(error, socket?.errored);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The response body with its errors typed: when the idle timer destroys the socket, the body fails with a generic
 * "aborted" and only the socket knows it was a timeout. A consumer that stops reading releases the connection.
 */
function withTypedErrors(response: IncomingMessage): Readable {
  const socket = response.socket;
  const body = new PassThrough();
  response.on('error', (error) => body.destroy(toObjectStoreError(error, socket?.errored) as Error));
  body.once('close', () => response.destroy());
  response.pipe(body);
  return body;
}
