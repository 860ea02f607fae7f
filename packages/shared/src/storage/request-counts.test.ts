import { describe, expect, it } from 'vitest';
import { objectStoreRequestKind } from './request-counts.js';

describe('objectStoreRequestKind', () => {
  it('names each S3 call the worker makes, never a bucket or key', () => {
    const kind = (method: string, path: string, headers: Record<string, string> = {}) =>
      objectStoreRequestKind({ method, path, headers });
    expect(kind('HEAD', '/b/k.vhd')).toBe('HEAD object');
    expect(kind('GET', '/b/k.vhd', { Range: 'bytes=0-511' })).toBe('GET range');
    expect(kind('GET', '/b/k.vhd')).toBe('GET object');
    expect(kind('PUT', '/b/k.vhd')).toBe('PUT object');
    expect(kind('POST', '/b/k.vhd?uploads')).toBe('POST initiate-multipart');
    expect(kind('GET', '/b?uploads&prefix=k')).toBe('GET list-uploads');
    expect(kind('PUT', '/b/k.vhd?partNumber=1&uploadId=x')).toBe('PUT part');
    expect(kind('POST', '/b/k.vhd?uploadId=x')).toBe('POST complete-multipart');
    expect(kind('DELETE', '/b/k.vhd?uploadId=x')).toBe('DELETE abort-multipart');
    expect(kind('DELETE', '/b/k.vhd')).toBe('DELETE object');
    expect(kind('GET', '/b?list-type=2&prefix=x')).toBe('GET list-objects');
    expect(kind('HEAD', '/b')).toBe('HEAD bucket');
  });
});
