import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts tenants' object-store secrets at rest with AES-256-GCM.
 * Format: `v1:<iv b64>:<tag b64>:<ciphertext b64>`. The version prefix leaves room for key rotation.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox key must be 32 bytes');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ciphertext.toString('base64'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) {
      throw new SecretBoxError('unrecognised sealed-secret format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError(
        'sealed secret could not be decrypted (wrong TENANT_SECRET_KEY or tampered value)',
      );
    }
  }
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}
