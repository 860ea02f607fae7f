import { describe, expect, it } from 'vitest';
import { TokenCache, type TokenGrant } from './token-cache.js';

const grant = (expiresAt: Date | null): TokenGrant => ({
  tokenId: 't1',
  tenantId: '00000001',
  role: 'admin',
  bucketPrefix: '',
  expiresAt,
});

describe('TokenCache', () => {
  it('serves a lookup for at most its TTL', () => {
    let now = 1_000_000;
    const cache = new TokenCache(5_000, 100, () => now);
    cache.set('h', grant(null));
    now += 4_999;
    expect(cache.get('h')).toEqual(grant(null));
    now += 1;
    expect(cache.get('h')).toBeUndefined();
  });

  it('never serves a token past its expires_at, however fresh the entry', () => {
    let now = 1_000_000;
    const cache = new TokenCache(60_000, 100, () => now);
    cache.set('h', grant(new Date(now + 1_000)));
    now += 999;
    expect(cache.get('h')).toBeDefined();
    now += 1;
    expect(cache.get('h')).toBeUndefined();
  });

  it('caches nothing with a TTL of 0, and drops the entry read longest ago past its bound', () => {
    const off = new TokenCache(0);
    off.set('h', grant(null));
    expect(off.get('h')).toBeUndefined();
    const small = new TokenCache(60_000, 2);
    small.set('a', grant(null));
    small.set('b', grant(null));
    small.set('c', grant(null));
    expect([small.get('a'), small.get('b'), small.get('c')].map(Boolean)).toEqual([false, true, true]);
  });
});
