import { type PrivateRedis, startRedis } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
