import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startRedis } from '../src/index.js';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.destroy());

async function withClient<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // a refused connection rejects the command, which the tests assert on
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe('startRedis', () => {
  it('is a private, BullMQ-ready Redis on its own port', async () => {
    expect(redis.running).toBe(true);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await withClient((c) => c.config('GET', 'maxmemory-policy'))).toEqual([
      'maxmemory-policy',
      'noeviction',
    ]);
  });

  it('keeps its data across stop() and start() by default', async () => {
    await withClient((c) => c.set('kept', '1'));
    await redis.stop();
    expect(redis.running).toBe(false);
    await expect(withClient((c) => c.ping())).rejects.toThrow();
    await redis.start();
    expect(await withClient((c) => c.get('kept'))).toBe('1');
  });

  it('restarts empty after stop({ keepData: false })', async () => {
    await withClient((c) => c.set('dropped', '1'));
    await redis.stop({ keepData: false });
    await redis.start();
    expect(await withClient((c) => c.dbsize())).toBe(0);
  });

  it('loses what was written since the last stop() when killed', async () => {
    await withClient((c) => c.set('saved', '1'));
    await redis.stop();
    await redis.start();
    await withClient((c) => c.set('unsaved', '1'));
    await redis.kill();
    expect(redis.running).toBe(false);
    await redis.start();
    expect(await withClient((c) => c.mget('saved', 'unsaved'))).toEqual(['1', null]);
  });
});

describe('startRedis({ appendOnly: true })', () => {
  let aof: PrivateRedis;
  beforeAll(async () => {
    aof = await startRedis({ appendOnly: true });
  });
  afterAll(() => aof?.destroy());

  const set = async (key: string) => {
    const client = new Redis(aof.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.set(key, '1');
      // appendfsync everysec: wait past one fsync so the write is in the file before the crash.
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      client.disconnect();
    }
  };
  const keys = async () => {
    const client = new Redis(aof.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      return (await client.keys('*')).sort();
    } finally {
      client.disconnect();
    }
  };

  it('keeps its data through a SIGKILL (the append-only file), as a crashed production Redis would', async () => {
    await set('survives');
    await aof.kill();
    await aof.start();
    expect(await keys()).toEqual(['survives']);
  });

  it('comes back empty after kill({ keepData: false })', async () => {
    await set('lost');
    await aof.kill({ keepData: false });
    await aof.start();
    expect(await keys()).toEqual([]);
  });
});
