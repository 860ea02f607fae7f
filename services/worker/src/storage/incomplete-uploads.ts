import type { Client } from 'minio';
import { isNotFoundError } from './object-store-operations.js';

export interface IncompleteUpload {
  key: string;
  uploadId: string;
}

/**
 * Lists unfinished multipart uploads under `prefix`.
 * Not minio's listIncompleteUploads/findUploadId: those always send `delimiter=` (empty), which Swift's s3api
 * reads as "group everything into CommonPrefixes", so they never see an upload on Swift. This sends no
 * delimiter, which every S3 implementation answers with the uploads themselves.
 */
export async function listIncompleteUploads(
  client: Client,
  bucket: string,
  prefix: string,
): Promise<IncompleteUpload[]> {
  const uploads: IncompleteUpload[] = [];
  let keyMarker = '';
  let uploadIdMarker = '';
  for (let page = 0; page < 1000; page++) {
    const query = ['uploads', `prefix=${encodeURIComponent(prefix)}`];
    if (keyMarker) query.push(`key-marker=${encodeURIComponent(keyMarker)}`);
    if (uploadIdMarker) query.push(`upload-id-marker=${encodeURIComponent(uploadIdMarker)}`);
    const response = await client.makeRequestAsync({
      method: 'GET',
      bucketName: bucket,
      query: query.join('&'),
    });
    let xml = '';
    for await (const chunk of response) xml += chunk;
    for (const match of xml.matchAll(/<Upload>([\s\S]*?)<\/Upload>/g)) {
      const key = tagText(match[1]!, 'Key');
      const uploadId = tagText(match[1]!, 'UploadId');
      if (key !== undefined && uploadId !== undefined) uploads.push({ key, uploadId });
    }
    if (tagText(xml, 'IsTruncated') !== 'true') return uploads;
    keyMarker = tagText(xml, 'NextKeyMarker') ?? '';
    uploadIdMarker = tagText(xml, 'NextUploadIdMarker') ?? '';
  }
  throw new Error(`too many incomplete uploads under ${bucket}/${prefix}`);
}

/**
 * Aborts every unfinished multipart upload of exactly `key`. Run before an upload, so a crashed attempt's
 * parts never linger, and the new upload never mixes with them.
 */
export async function abortIncompleteUploads(client: Client, bucket: string, key: string): Promise<number> {
  const uploads = (await listIncompleteUploads(client, bucket, key)).filter((upload) => upload.key === key);
  for (const upload of uploads) {
    try {
      await client.abortMultipartUpload(bucket, key, upload.uploadId);
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
    }
  }
  return uploads.length;
}

function tagText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match ? decodeXmlText(match[1]!) : undefined;
}

function decodeXmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}
