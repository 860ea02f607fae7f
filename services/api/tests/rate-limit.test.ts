import { type PrivateRedis, startRedis } from '@cloud-images/test-stack';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenOverLimit, TokenRateLimiter } from '../src/http/token-rate-limiter.js';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

// A private Redis: this file stops it.
let redis: PrivateRedis;
let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  redis = await startRedis();
  t = await startTestApi({
    REDIS_URL: redis.url,
    RATE_LIMIT_POINTS: '10',
    RATE_LIMIT_DURATION_SECONDS: '30',
  });
  tenant = await t.createTestTenant();
  await t.setTenantLimits(tenant.id, { maxPendingTasks: 1000 });
});
afterAll(async () => {
  await t?.close();
  await redis?.destroy();
});

describe('per-token rate limit', () => {
  it('answers a burst past the limit 413 Over Limit with Retry-After; other tokens keep their own budget', async () => {
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => t.request('GET', '/v2/tasks', { token: tenant.tokens.observer })),
    );
    const refused = answers.filter((a) => a.status === 413);
    console.log(
      `[rate-limit] 15 requests at 10 per 30 s: ${answers.length - refused.length} answered, ${refused.length} refused`,
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(refused).toHaveLength(5);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0]!.json.error).toMatchObject({
      code: 413,
      title: 'Over Limit',
      message: expect.stringMatching(/10 requests per 30 s/),
    });
    const other = await t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody() });
    expect(other.status).toBe(201);
  });

  it('fails open: with Redis stopped, requests are still answered', async () => {
    await redis.stop();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.request('POST', '/v2/tasks', { token: tenant.tokens.admin, body: importBody() }),
      ),
    );
    console.log(
      `[rate-limit] Redis down: 20 POSTs answered ${answers.map((a) => a.status).join(',')} in ${Date.now() - started} ms`,
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    await redis.start();
  });

  it('takes no Redis round trip on the request path while a token is known to have points left', async () => {
    const client = new Redis(redis.url);
    const pauser = new Redis(redis.url);
    try {
      await client.ping(); // ready: the limiter lets requests through unasked while its client is connecting
      const limiter = new TokenRateLimiter({
        redis: client,
        points: 100,
        durationSeconds: 30,
        keyPrefix: `headroom-${Date.now()}`,
        logger: pino({ enabled: false }),
      });
      await limiter.admit('known-token'); // Redis answers: 99 left
      await pauser.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const decision = (tokenId: string) =>
        Promise.race([
          limiter.admit(tokenId).then(() => 'admitted'),
          new Promise((resolve) => setTimeout(resolve, 150, 'waiting for Redis')),
        ]);
      // While Redis answers nothing, the known token goes on at once; an unknown one waits for Redis.
      expect(await decision('known-token')).toBe('admitted');
      expect(await decision('unknown-token')).toBe('waiting for Redis');
      await pauser.call('CLIENT', 'UNPAUSE');
    } finally {
      client.disconnect();
      pauser.disconnect();
    }
  });

  it('stays exact within one process when the requests of a known token race past its limit', async () => {
    const client = new Redis(redis.url);
    try {
      await client.ping();
      const limiter = new TokenRateLimiter({
        redis: client,
        points: 10,
        durationSeconds: 30,
        keyPrefix: `exact-${Date.now()}`,
        logger: pino({ enabled: false }),
      });
      await limiter.admit('token'); // 9 left
      const results = await Promise.allSettled(Array.from({ length: 15 }, () => limiter.admit('token')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(6);
      expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof TokenOverLimit)).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('counts the requests it let through unasked in Redis together, a few commands for many requests', async () => {
    const client = new Redis(redis.url);
    try {
      await client.ping();
      const keyPrefix = `batched-${Date.now()}`;
      const limiter = new TokenRateLimiter({
        redis: client,
        points: 1000,
        durationSeconds: 30,
        keyPrefix,
        logger: pino({ enabled: false }),
      });
      await limiter.admit('token');
      const commands = async () =>
        Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
      const before = await commands();
      for (let i = 0; i < 50; i++) await limiter.admit('token');
      await new Promise((resolve) => setTimeout(resolve, 100)); // past the flush interval
      const sent = (await commands()) - before - 1; // minus this INFO
      const counted = await new RateLimiterRedis({
        storeClient: client,
        points: 1000,
        duration: 30,
        keyPrefix: `${keyPrefix}:rate`,
      }).get('token');
      console.log(
        `[rate-limit] 50 requests let through: ${sent} Redis command(s), ${counted?.consumedPoints} points counted`,
      );
      expect(counted?.consumedPoints).toBe(51);
      expect(sent).toBeLessThanOrEqual(5);
    } finally {
      client.disconnect();
    }
  });
});
