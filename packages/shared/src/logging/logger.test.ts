import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts tokens and secrets wherever they appear', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'test', destination });
    logger.info(
      {
        req: { headers: { 'x-auth-token': 'tok-123', authorization: 'Bearer abc' } },
        tenant: { s3SecretKey: 'sk-456', accessKey: 'ak-789' },
        config: {
          S3_SECRET_KEY: 'svc-secret',
          TENANT_SECRET_KEY: 'master',
          TENANT_SECRET_KEYS: 'keyring',
          TENANT_S3_SECRET_KEY: 'tenant-input',
        },
        token: 'plain-token',
      },
      'hello',
    );
    const out = lines.join('');
    for (const secret of [
      'tok-123',
      'Bearer abc',
      'sk-456',
      'ak-789',
      'svc-secret',
      'master',
      'keyring',
      'tenant-input',
      'plain-token',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('hello');
  });
});
