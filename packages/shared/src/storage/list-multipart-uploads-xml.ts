import { XMLParser } from 'fast-xml-parser';
import type { IncompleteUpload } from './object-store.js';

export interface ListMultipartUploadsPage {
  uploads: IncompleteUpload[];
  /** Where the next page starts; undefined on the last page. */
  next?: { keyMarker: string; uploadIdMarker: string };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keys and ids are opaque strings: no number parsing, no trimming ("0123" and " a " stay as they are).
  parseTagValue: false,
  trimValues: false,
  // Decodes numeric character references (&#233;) as well as the five XML entities.
  htmlEntities: true,
  isArray: (name) => name === 'Upload',
});

/** Parses one S3 ListMultipartUploadsResult document. */
export function parseListMultipartUploads(xml: string): ListMultipartUploadsPage {
  const document = parser.parse(xml) as { ListMultipartUploadsResult?: ListResult };
  const result = document.ListMultipartUploadsResult;
  if (!result) throw new Error('S3 answered ListMultipartUploads without a ListMultipartUploadsResult');
  const uploads: IncompleteUpload[] = [];
  for (const upload of result.Upload ?? []) {
    if (typeof upload.Key === 'string' && typeof upload.UploadId === 'string') {
      const initiated = typeof upload.Initiated === 'string' ? new Date(upload.Initiated) : undefined;
      uploads.push({
        key: upload.Key,
        uploadId: upload.UploadId,
        ...(initiated && !Number.isNaN(initiated.getTime()) ? { initiated } : {}),
      });
    }
  }
  if (text(result.IsTruncated).trim() !== 'true') return { uploads };
  return {
    uploads,
    next: { keyMarker: text(result.NextKeyMarker), uploadIdMarker: text(result.NextUploadIdMarker) },
  };
}

interface ListResult {
  Upload?: { Key?: unknown; UploadId?: unknown; Initiated?: unknown }[];
  IsTruncated?: unknown;
  NextKeyMarker?: unknown;
  NextUploadIdMarker?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
