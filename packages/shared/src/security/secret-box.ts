import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** One master key and the id sealed values name it by. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** A key's derived id: the first 8 hex digits of its SHA-256, so the id never depends on a position in a list. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A key with its derived id, e.g. `secretKey(randomBytes(32))`. */
export function secretKey(key: Buffer, id = secretKeyId(key)): SecretKey {
  if (key.length !== 32) throw new Error('a master key must be 32 bytes');
  return { id, key };
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Encrypts tenants' object-store secrets at rest with AES-256-GCM under a keyring (the current key first).
 * Format: `v2:<keyId>:<iv b64>:<tag b64>:<ciphertext b64>`, with the tenant id as associated data, so a value
 * copied to another tenant's row does not open. `v1:<iv>:<tag>:<ct>` values (one key, no associated data) still
 * open with any key of the ring until `secrets reseal` rewrites them.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error('a SecretBox needs at least one key');
    this.byId = new Map();
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error('SecretBox keys must be 32 bytes');
      if (!KEY_ID.test(id)) throw new Error(`key id '${id}' must be 1-32 letters, digits, _ or -`);
      if (this.byId.has(id)) throw new Error(`two keys have the id '${id}'`);
      this.byId.set(id, key);
    }
  }

  /** The id new values are sealed with. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  get keyIds(): string[] {
    return this.keys.map((k) => k.id);
  }

  seal(plaintext: string, tenantId: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(associatedData(tenantId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v2',
      id,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ciphertext.toString('base64'),
    ].join(':');
  }

  /** True when `sealed` is already v2 under the current key (reseal leaves it alone). */
  isSealedWithCurrentKey(sealed: string): boolean {
    const [version, id] = sealed.split(':');
    return version === 'v2' && id === this.currentKeyId;
  }

  open(sealed: string, tenantId: string): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, ciphertext] = parts as [string, string, string, string];
      for (const { key } of this.keys) {
        const opened = tryOpen(key, iv, tag, ciphertext);
        if (opened !== undefined) return opened;
      }
      throw new SecretBoxError(
        'a v1 sealed secret could not be decrypted with any configured key (wrong TENANT_SECRET_KEYS or a tampered value)',
      );
    }
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      const key = this.byId.get(id);
      if (!key) {
        throw new SecretBoxError(
          `the sealed secret names master key '${id}', which is not in TENANT_SECRET_KEYS (configured: ${this.keyIds.join(', ')})`,
        );
      }
      const opened = tryOpen(key, iv, tag, ciphertext, associatedData(tenantId));
      if (opened !== undefined) return opened;
      throw new SecretBoxError(
        `the sealed secret does not open for tenant ${tenantId} with key '${id}': it was sealed for another tenant (copied between rows) or tampered with`,
      );
    }
    throw new SecretBoxError('unrecognised sealed-secret format');
  }
}

function associatedData(tenantId: string): Buffer {
  return Buffer.from(`cloud-images:tenant:${tenantId}`, 'utf8');
}

function tryOpen(key: Buffer, iv: string, tag: string, ciphertext: string, aad?: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}

/** Seals a value the way the pre-keyring code did (`v1`, no associated data); for tests of the upgrade path. */
export function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    ciphertext.toString('base64'),
  ].join(':');
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}
