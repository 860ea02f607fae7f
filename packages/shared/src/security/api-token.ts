import { createHash, randomBytes } from 'node:crypto';

/** Tokens are random, shown once, and stored only as this hash. SHA-256 suffices: they carry 256 bits of entropy. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateApiToken(): string {
  return `cit_${randomBytes(32).toString('base64url')}`;
}
