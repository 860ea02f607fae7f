import type { Client } from 'minio';

/**
 * Keys of the unfinished multipart uploads in `bucket`, by a raw `GET ?uploads` with no delimiter. Not minio's
 * listIncompleteUploads: it always sends an empty `delimiter=`, which Swift's s3api answers with a common prefix
 * instead of the uploads (see services/worker/src/storage/incomplete-uploads.ts). One page of up to 1000 is plenty
 * for a test bucket; a truncated answer throws rather than under-report.
 */
export async function incompleteUploadKeys(client: Client, bucket: string): Promise<string[]> {
  const response = await client.makeRequestAsync({ method: 'GET', bucketName: bucket, query: 'uploads' });
  let xml = '';
  for await (const chunk of response) xml += chunk;
  if (/<IsTruncated>true<\/IsTruncated>/.test(xml))
    throw new Error(`too many incomplete uploads in ${bucket}`);
  return [...xml.matchAll(/<Upload>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Upload>/g)].map((m) => m[1]!);
}
