import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '@cloud-images/shared';
import express from 'express';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { requestLog } from './request-log.js';

const lines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk, _encoding, callback) {
    lines.push(JSON.parse(String(chunk)));
    callback();
  },
});
let release: () => void = () => {};

const app = express();
app.use(requestLog(createLogger({ name: 'test', destination })));
app.get('/ok', (_req, res) => void res.status(201).json({ ok: true }));
app.get('/broken', (_req, res) => void res.status(503).json({ down: true }));
app.get('/slow', (_req, res) => {
  release = () => res.end();
});
const server = app.listen(0);
const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

afterEach(() => {
  lines.length = 0;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('requestLog', () => {
  it('writes one line per request with its method, URL, status and time, and never its headers', async () => {
    await fetch(url('/ok?x=1'), { headers: { 'X-Auth-Token': 'secret-token-1' } });
    await fetch(url('/ok'));
    await vi.waitFor(() => expect(lines).toHaveLength(2));
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: expect.any(Number), method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
    });
    expect((lines[1]!.req as { id: number }).id).toBe((lines[0]!.req as { id: number }).id + 1);
    expect(JSON.stringify(lines)).not.toContain('secret-token-1');
  });

  it('logs a 5xx at error level as "request errored"', async () => {
    await fetch(url('/broken'));
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 503 } });
  });

  it('says so when the client went away before the response finished', async () => {
    const abort = new AbortController();
    const pending = fetch(url('/slow'), { signal: abort.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await pending;
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(lines[0]).toMatchObject({ level: 40, msg: 'request aborted', req: { url: '/slow' } });
    release();
  });
});
