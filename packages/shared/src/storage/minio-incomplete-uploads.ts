import type { Client } from 'minio';
import { parseListMultipartUploads } from './list-multipart-uploads-xml.js';
import type { RequestRunner } from './minio-multipart-upload.js';
import type { IncompleteUpload } from './object-store.js';

const MAX_PAGES = 1000;

/**
 * Lists unfinished multipart uploads under `prefix`.
 * Not minio's listIncompleteUploads/findUploadId: those always send `delimiter=` (empty), which Swift's s3api
 * reads as "group everything into CommonPrefixes", so they never see an upload on Swift. This sends no
 * delimiter, which every S3 implementation answers with the uploads themselves. The request is still built and
 * signed by minio (makeRequestAsync); only the query and the parsing are ours.
 */
export async function listIncompleteUploads(
  client: Client,
  request: RequestRunner,
  bucket: string,
  prefix: string,
): Promise<IncompleteUpload[]> {
  const uploads: IncompleteUpload[] = [];
  let marker = { keyMarker: '', uploadIdMarker: '' };
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = ['uploads', `prefix=${encodeURIComponent(prefix)}`];
    if (marker.keyMarker) query.push(`key-marker=${encodeURIComponent(marker.keyMarker)}`);
    if (marker.uploadIdMarker) query.push(`upload-id-marker=${encodeURIComponent(marker.uploadIdMarker)}`);
    const xml = await request(`list uploads of ${bucket}/${prefix}`, async () => {
      const response = await client.makeRequestAsync({
        method: 'GET',
        bucketName: bucket,
        query: query.join('&'),
      });
      let body = '';
      response.setEncoding('utf8');
      for await (const chunk of response) body += chunk;
      return body;
    });
    const result = parseListMultipartUploads(xml);
    uploads.push(...result.uploads);
    if (!result.next) return uploads;
    marker = result.next;
  }
  throw new Error(`too many incomplete uploads under ${bucket}/${prefix}`);
}
