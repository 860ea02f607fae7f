import { spawnService } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBody, startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
});
afterAll(() => t?.close());

describe('operations endpoints', () => {
  it('answers liveness and readiness without a token', async () => {
    expect(await t.request('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await t.request('GET', '/readyz')).toMatchObject({
      status: 200,
      json: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
    });
  });

  it('exposes request counts and latency by route and status, tasks created by type, and outbox lag', async () => {
    await t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody() });
    await t.request('GET', '/v2/tasks/00000000-0000-4000-8000-000000000000', {
      token: tenant.tokens.creator,
    });
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/v2\/tasks",status="201"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v2\/tasks\/:id",status="404"\} 1/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v2\/tasks",status="201"\}/,
    );
    expect(text).toMatch(/tasks_created_total\{type="import"\} 1/);
    expect(text).toMatch(/^outbox_lag_seconds \d/m);
    expect(text).toMatch(/^outbox_unpublished_rows \d/m);
  });

  it('fails readiness from shutdown on, then stops serving', async () => {
    const other = await startTestApi();
    try {
      const shutdown = other.api.shutdown();
      const res = await other.request('GET', '/readyz').catch(() => undefined);
      // Either the request still reached the draining server (503) or the listener was already closed.
      if (res) expect(res.status).toBe(503);
      expect(other.api.readiness.isShuttingDown).toBe(true);
      await shutdown;
      await expect(fetch(`${other.baseUrl}/healthz`)).rejects.toThrow();
    } finally {
      await other.close();
    }
  });

  it('main.ts: serves, then on SIGTERM shuts down cleanly and exits 0', async () => {
    const env = Object.fromEntries(Object.entries(t.config).map(([key, value]) => [key, String(value)]));
    // Ready once it logged its port and /readyz answers 200 (its Redis connection may lag the listener).
    const main = await spawnService({
      service: 'api',
      source: true,
      env: { ...env, PORT: '0', LOG_LEVEL: 'info' },
    });
    try {
      expect(main.port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${main.port}/readyz`)).status).toBe(200);
      const { code } = await main.kill('SIGTERM');
      expect(code).toBe(0);
      expect(main.log.text).toContain('api stopped');
    } finally {
      await main.ensureStopped();
    }
  });
});
