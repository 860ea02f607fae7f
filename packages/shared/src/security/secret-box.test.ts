import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiToken } from './api-token.js';
import { SecretBox, SecretBoxError, sealV1, secretKey, secretKeyId } from './secret-box.js';

describe('SecretBox', () => {
  const oldKey = secretKey(randomBytes(32));
  const newKey = secretKey(randomBytes(32));
  const box = new SecretBox([oldKey]);

  it('round-trips as v2 under the current key id and never stores the plaintext', () => {
    const sealed = box.seal('tenant-secret', 't1');
    expect(sealed).not.toContain('tenant-secret');
    expect(sealed.startsWith(`v2:${oldKey.id}:`)).toBe(true);
    expect(box.open(sealed, 't1')).toBe('tenant-secret');
  });

  it('derives the key id from the key: the first 8 hex digits of its SHA-256', () => {
    const key = Buffer.alloc(32, 1);
    expect(secretKeyId(key)).toBe('72cd6e84');
    expect(secretKey(key).id).toBe('72cd6e84');
  });

  it('uses a fresh IV, so equal secrets seal differently', () => {
    expect(box.seal('same', 't1')).not.toBe(box.seal('same', 't1'));
  });

  it('binds the tenant id: a value copied to another tenant does not open, with a clear error', () => {
    const sealed = box.seal('x', 't1');
    expect(() => box.open(sealed, 't2')).toThrow(/sealed for another tenant/);
  });

  it('opens a value with the key its id names, whatever the order of the ring', () => {
    const sealed = box.seal('x', 't1');
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.open(sealed, 't1')).toBe('x');
    expect(rotated.isSealedWithCurrentKey(sealed)).toBe(false);
    expect(rotated.isSealedWithCurrentKey(rotated.seal('x', 't1'))).toBe(true);
  });

  it('names a key id that is not configured', () => {
    const sealed = box.seal('x', 't1');
    expect(() => new SecretBox([newKey]).open(sealed, 't1')).toThrow(
      new RegExp(`names master key '${oldKey.id}'`),
    );
  });

  it('still opens v1 values (no associated data) with any key of the ring', () => {
    const sealed = sealV1(oldKey.key, 'legacy');
    expect(new SecretBox([newKey, oldKey]).open(sealed, 'any-tenant')).toBe('legacy');
    expect(box.isSealedWithCurrentKey(sealed)).toBe(false);
    expect(() => new SecretBox([newKey]).open(sealed, 't1')).toThrow(SecretBoxError);
  });

  it('rejects a tampered value and garbage', () => {
    const parts = box.seal('x', 't1').split(':');
    parts[4] = Buffer.from('y').toString('base64');
    expect(() => box.open(parts.join(':'), 't1')).toThrow(SecretBoxError);
    expect(() => box.open('garbage', 't1')).toThrow(SecretBoxError);
  });

  it('refuses duplicate ids and an empty ring', () => {
    expect(() => new SecretBox([])).toThrow();
    expect(() => new SecretBox([oldKey, { ...newKey, id: oldKey.id }])).toThrow(/two keys/);
  });
});

describe('hashApiToken', () => {
  it('is a stable SHA-256 hex digest that differs from the token', () => {
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
