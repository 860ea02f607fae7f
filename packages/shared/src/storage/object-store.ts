import { Client } from 'minio';

export interface ObjectStoreTarget {
  /** e.g. http://127.0.0.1:8080 or https://s3.example.com */
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/**
 * The one place a `minio` client is built. The explicit `partSize` caps how much a streamed upload buffers:
 * the client holds one part in memory at a time, so memory per transfer is about one part.
 */
export function createObjectStoreClient(target: ObjectStoreTarget, partSize: number): Client {
  const url = new URL(target.endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    region: target.region,
    accessKey: target.accessKey,
    secretKey: target.secretKey,
    // Path-style works with MinIO, Swift s3api and AWS alike; virtual-host style needs DNS we may not have.
    pathStyle: true,
    partSize,
  });
}

/** A tenant's container `c` is the bucket `<prefix><c>` in the tenant's own account. */
export function bucketForContainer(bucketPrefix: string, container: string): string {
  return `${bucketPrefix}${container}`;
}
