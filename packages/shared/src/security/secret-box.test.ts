import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiToken } from './api-token.js';
import { SecretBox, SecretBoxError } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('tenant-secret');
    expect(sealed).not.toContain('tenant-secret');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.open(sealed)).toBe('tenant-secret');
  });

  it('uses a fresh IV, so equal secrets seal differently', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('rejects a wrong key and a tampered value', () => {
    const sealed = box.seal('x');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(SecretBoxError);
    const parts = sealed.split(':');
    parts[3] = Buffer.from('y').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow(SecretBoxError);
    expect(() => box.open('garbage')).toThrow(SecretBoxError);
  });
});

describe('hashApiToken', () => {
  it('is a stable SHA-256 hex digest that differs from the token', () => {
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
