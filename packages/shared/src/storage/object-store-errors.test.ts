import { InvalidBucketNameError, InvalidObjectNameError, S3Error } from 'minio';
import { describe, expect, it } from 'vitest';
import {
  ObjectStoreInvalidNameError,
  ObjectStoreNotFoundError,
  ObjectStoreTimeoutError,
  toObjectStoreError,
  undefinedIfNotFound,
} from './object-store-errors.js';

const s3Error = (code: string) => Object.assign(new S3Error(`${code} message`), { code });

describe('toObjectStoreError', () => {
  it.each(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload'])('maps %s to NotFound', (code) => {
    const original = s3Error(code);
    const mapped = toObjectStoreError(original);
    expect(mapped).toBeInstanceOf(ObjectStoreNotFoundError);
    expect((mapped as Error).cause).toBe(original);
  });

  it("maps S3's and minio's invalid-name errors to InvalidName", () => {
    for (const error of [
      s3Error('InvalidBucketName'),
      new InvalidBucketNameError('Invalid bucket name: A_B'),
      new InvalidObjectNameError('Invalid object name: '),
    ]) {
      expect(toObjectStoreError(error), String(error)).toBeInstanceOf(ObjectStoreInvalidNameError);
    }
  });

  it('maps an error caused by a timeout, or seen with one, to Timeout', () => {
    const timeout = new ObjectStoreTimeoutError('S3: connection idle for 300 ms');
    expect(toObjectStoreError(timeout)).toBe(timeout);
    const wrapped = new Error('request failed', { cause: new Error('socket', { cause: timeout }) });
    expect(toObjectStoreError(wrapped)).toBeInstanceOf(ObjectStoreTimeoutError);
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(toObjectStoreError(aborted, timeout)).toBeInstanceOf(ObjectStoreTimeoutError);
    expect(toObjectStoreError(aborted, undefined)).toBe(aborted);
  });

  it('passes every other error through unchanged', () => {
    for (const error of [s3Error('AccessDenied'), s3Error('SlowDown'), new Error('ECONNRESET'), 'a string']) {
      expect(toObjectStoreError(error)).toBe(error);
    }
  });
});

describe('undefinedIfNotFound', () => {
  it('turns NotFound into undefined and rethrows anything else', async () => {
    await expect(undefinedIfNotFound(Promise.resolve(1))).resolves.toBe(1);
    await expect(
      undefinedIfNotFound(Promise.reject(new ObjectStoreNotFoundError('x'))),
    ).resolves.toBeUndefined();
    const other = new Error('boom');
    await expect(undefinedIfNotFound(Promise.reject(other))).rejects.toBe(other);
  });
});
