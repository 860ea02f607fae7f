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
  it('serves the ops routes only on the ops listener: 404 on the tenant port, which keeps /openapi.json', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/queues']) {
      expect((await t.request('GET', path)).status, path).toBe(404);
    }
    expect((await t.request('GET', '/openapi.json')).status).toBe(200);
    expect((await t.opsRequest('GET', '/openapi.json')).status).toBe(404);
    expect((await t.opsRequest('GET', '/v2/tasks', { token: tenant.tokens.creator })).status).toBe(404);
  });

  it('answers liveness and readiness without a token', async () => {
    expect(await t.opsRequest('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await t.opsRequest('GET', '/readyz')).toMatchObject({
      status: 200,
      json: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
    });
  });

  it('exposes request counts and latency by route and status, tasks created by type, and outbox lag', async () => {
    await t.request('POST', '/v2/tasks', { token: tenant.tokens.creator, body: importBody() });
    await t.request('GET', '/v2/tasks/00000000-0000-4000-8000-000000000000', {
      token: tenant.tokens.creator,
    });
    const res = await fetch(`${t.opsUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /cloud_images_api_http_requests_total\{method="POST",route="\/v2\/tasks",status="201"\} 1/,
    );
    expect(text).toMatch(
      /cloud_images_api_http_requests_total\{method="GET",route="\/v2\/tasks\/:id",status="404"\} 1/,
    );
    expect(text).toMatch(
      /cloud_images_api_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v2\/tasks",status="201"\}/,
    );
    expect(text).toMatch(/cloud_images_api_tasks_created_total\{type="import"\} 1/);
    expect(text).toMatch(/^cloud_images_api_outbox_lag_seconds \d/m);
    expect(text).toMatch(/^cloud_images_api_outbox_unpublished_rows \d/m);
    expect(text).toMatch(/^cloud_images_api_process_resident_memory_bytes \d/m);
    // Every metric carries the prefix.
    const names = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2]);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !name?.startsWith('cloud_images_'))).toEqual([]);
    // Deployment-wide gauges are off unless this process is the one that exports them.
    expect(text).not.toContain('cloud_images_queue_depth');
  });

  it('exports queue depth (pending task rows by type) only with EXPORT_TASK_GAUGES', async () => {
    const exporter = await startTestApi({ EXPORT_TASK_GAUGES: 'true' });
    try {
      const other = await exporter.createTestTenant();
      for (const name of ['a', 'b']) {
        await exporter.request('POST', '/v2/tasks', { token: other.tokens.creator, body: importBody(name) });
      }
      const text = await (await fetch(`${exporter.opsUrl}/metrics`)).text();
      expect(text).toMatch(/^cloud_images_queue_depth\{type="import"\} 2$/m);
      expect(text).toMatch(/^cloud_images_queue_depth\{type="export"\} 0$/m);
      expect(text).toMatch(/^cloud_images_tasks_processing_oldest_update_age_seconds\{type="import"\} 0$/m);
    } finally {
      await exporter.close();
    }
  });

  it('serves the queue UI only with the operator credential: 401 without or with a wrong one, 200 with it', async () => {
    const password = 'correct-horse-battery-staple';
    const withUi = await startTestApi({ QUEUE_UI_PASSWORD: password });
    try {
      const basic = (user: string, pass: string) => ({
        authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
      });
      const anonymous = await withUi.opsRequest('GET', '/queues');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(
        (await withUi.opsRequest('GET', '/queues', { headers: basic('operator', 'wrong') })).status,
      ).toBe(401);
      expect(
        (await withUi.opsRequest('GET', '/queues', { headers: basic('intruder', password) })).status,
      ).toBe(401);
      const page = await withUi.opsRequest('GET', '/queues', { headers: basic('operator', password) });
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<html/i);
      const api = await withUi.opsRequest('GET', '/queues/api/queues', {
        headers: basic('operator', password),
      });
      expect(api.status).toBe(200);
      const shown = (api.json as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      expect(shown).toEqual(['image-export', 'image-import']);
      // Never on the tenant port.
      expect((await withUi.request('GET', '/queues', { headers: basic('operator', password) })).status).toBe(
        404,
      );
    } finally {
      await withUi.close();
    }
    // No credential configured: the UI is off.
    expect((await t.opsRequest('GET', '/queues')).status).toBe(404);
  });

  it('fails readiness from shutdown on, then stops serving', async () => {
    const other = await startTestApi();
    try {
      const shutdown = other.api.shutdown();
      const res = await other.opsRequest('GET', '/readyz').catch(() => undefined);
      // Either the request still reached the draining server (503) or the listener was already closed.
      if (res) expect(res.status).toBe(503);
      expect(other.api.readiness.isShuttingDown).toBe(true);
      await shutdown;
      await expect(fetch(`${other.baseUrl}/openapi.json`)).rejects.toThrow();
      await expect(fetch(`${other.opsUrl}/healthz`)).rejects.toThrow();
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
      env: { ...env, PORT: '0', OPS_PORT: '0', LOG_LEVEL: 'info' },
    });
    try {
      expect(main.port).toBeGreaterThan(0);
      expect(main.opsPort).not.toBe(main.port);
      expect((await fetch(`http://127.0.0.1:${main.opsPort}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${main.port}/readyz`)).status).toBe(404);
      const { code } = await main.kill('SIGTERM');
      expect(code).toBe(0);
      expect(main.log.text).toContain('api stopped');
    } finally {
      await main.ensureStopped();
    }
  });
});
