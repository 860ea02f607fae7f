import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool, HashPoolError } from '../src/hash-pool.js';

const pools: HashPool[] = [];
function newPool(threads: number, maxQueuedChunks?: number): HashPool {
  const pool = new HashPool({ threads, ...(maxQueuedChunks === undefined ? {} : { maxQueuedChunks }) });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function expected(algorithm: string, chunks: Buffer[]): string {
  const hash = createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

async function feed(session: ReturnType<HashPool['open']>, chunks: Buffer[]): Promise<string> {
  for (const chunk of chunks) await session.update(chunk);
  return session.digest();
}

describe('HashPool', () => {
  it('hashes chunks in the order given, for sessions interleaved on fewer threads', async () => {
    const pool = newPool(2, 3);
    const inputs = Array.from({ length: 5 }, () =>
      Array.from({ length: 40 }, (_, i) => randomBytes(1 + i * 997)),
    );
    const digests = await Promise.all(inputs.map((chunks) => feed(pool.open('sha512'), chunks)));
    expect(digests).toEqual(inputs.map((chunks) => expected('sha512', chunks)));
  });

  it('leaves the caller its chunk: it hashes a copy', async () => {
    const pool = newPool(1);
    const chunk = randomBytes(4096);
    const before = Buffer.from(chunk);
    const session = pool.open('md5');
    await session.update(chunk);
    chunk.fill(0); // changing the caller's buffer after update() must not change the digest
    expect(await session.digest()).toBe(expected('md5', [before]));
  });

  it('never has more than maxQueuedChunks in flight, and update() waits for room', async () => {
    const pool = newPool(1, 2);
    const session = pool.open('sha512');
    let peak = 0;
    let waited = 0;
    for (let i = 0; i < 50; i++) {
      const room = session.update(randomBytes(256 * 1024));
      peak = Math.max(peak, pool.queuedChunks);
      if (room) {
        waited++;
        await room;
        expect(pool.queuedChunks).toBeLessThan(2);
      }
    }
    await session.digest();
    expect(peak).toBeLessThanOrEqual(2);
    expect(waited).toBeGreaterThan(0);
    expect(pool.queuedChunks).toBe(0);
  });

  it('rejects the digest of an unknown algorithm, and other sessions still work', async () => {
    const pool = newPool(1);
    const bad = pool.open('no-such-hash');
    const good = pool.open('sha512');
    await good.update(Buffer.from('abc'));
    await expect(bad.digest()).rejects.toThrow(HashPoolError);
    expect(await good.digest()).toBe(expected('sha512', [Buffer.from('abc')]));
  });

  it('fails open sessions and frees their room when the pool closes', async () => {
    const pool = newPool(1, 100);
    const session = pool.open('sha512');
    session.update(randomBytes(1024));
    const digest = expect(session.digest()).rejects.toThrow(HashPoolError);
    await pool.close();
    await digest;
    expect(pool.queuedChunks).toBe(0);
    expect(() => pool.open('sha512')).toThrow(HashPoolError);
  });

  it('an aborted session gives no digest and leaves the queue empty', async () => {
    const pool = newPool(1);
    const session = pool.open('sha512');
    await session.update(randomBytes(1024));
    session.abort();
    const other = pool.open('md5');
    expect(await other.digest()).toBe(expected('md5', []));
    expect(pool.queuedChunks).toBe(0);
  });

  it('starts no more threads than it was sized for', async () => {
    const pool = newPool(2);
    const sessions = Array.from({ length: 6 }, () => pool.open('md5'));
    await Promise.all(sessions.map((s) => s.digest()));
    expect(pool.threads).toBe(2);
    expect((pool as unknown as { pool: unknown[] }).pool.length).toBe(2);
  });
});
