import { describe, expect, it } from 'vitest';
import { parseListMultipartUploads } from './list-multipart-uploads-xml.js';

const page = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>images</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <Prefix>images/</Prefix>
  <MaxUploads>1000</MaxUploads>
${body}
</ListMultipartUploadsResult>`;

describe('parseListMultipartUploads', () => {
  it('reads every upload of a last page', () => {
    const xml = page(`
  <IsTruncated>false</IsTruncated>
  <Upload>
    <Key>images/a.vhd</Key>
    <UploadId>ZTk2M2Q0</UploadId>
    <Initiator><ID>x</ID><DisplayName>x</DisplayName></Initiator>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2024-01-01T00:00:00.000Z</Initiated>
  </Upload>
  <Upload><Key>images/b.vhd</Key><UploadId>2</UploadId></Upload>`);
    expect(parseListMultipartUploads(xml)).toEqual({
      uploads: [
        { key: 'images/a.vhd', uploadId: 'ZTk2M2Q0', initiated: new Date('2024-01-01T00:00:00.000Z') },
        { key: 'images/b.vhd', uploadId: '2' },
      ],
    });
  });

  it('keeps keys verbatim: entities decoded, no trimming, no number parsing', () => {
    const xml = page(`<IsTruncated>false</IsTruncated>
  <Upload><Key> a &amp; b&lt;&#233;&#x41; </Key><UploadId>0123</UploadId></Upload>`);
    expect(parseListMultipartUploads(xml).uploads).toEqual([{ key: ' a & b<éA ', uploadId: '0123' }]);
  });

  it('returns the markers of the next page when truncated', () => {
    const xml = page(`<IsTruncated>true</IsTruncated>
  <NextKeyMarker>images/b.vhd</NextKeyMarker>
  <NextUploadIdMarker>2</NextUploadIdMarker>
  <Upload><Key>images/b.vhd</Key><UploadId>2</UploadId></Upload>`);
    expect(parseListMultipartUploads(xml)).toEqual({
      uploads: [{ key: 'images/b.vhd', uploadId: '2' }],
      next: { keyMarker: 'images/b.vhd', uploadIdMarker: '2' },
    });
  });

  it('reads an empty listing, and only prefixes (what Swift answers to delimiter=) as no uploads', () => {
    expect(parseListMultipartUploads(page('<IsTruncated>false</IsTruncated>'))).toEqual({ uploads: [] });
    const prefixesOnly = page(
      '<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>images/a.vhd</Prefix></CommonPrefixes>',
    );
    expect(parseListMultipartUploads(prefixesOnly)).toEqual({ uploads: [] });
  });

  it('rejects a document that is not a ListMultipartUploadsResult', () => {
    expect(() => parseListMultipartUploads('<Error><Code>AccessDenied</Code></Error>')).toThrow(
      /ListMultipartUploadsResult/,
    );
  });
});
