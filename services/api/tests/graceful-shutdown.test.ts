import { createHash, randomBytes } from 'node:crypto';
import { Agent, get, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceProcess, spawnService } from '@cloud-images/test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

// Far more than loopback socket buffers and stream high-water marks hold, so while the client is not reading,
// the server is stuck mid-response with most of the object unsent.
const SIZE = 32 * 1024 * 1024 + 7;
const SHUTDOWN_TIMEOUT_MS = 15_000;

let t: TestApi;
let tenant: TestTenant;
let imageId: string;
const data = randomBytes(SIZE);
const md5 = createHash('md5').update(data).digest('hex');

beforeAll(async () => {
  t = await startTestApi();
  tenant = await t.createTestTenant();
  ({ id: imageId } = await t.storeActiveImage(tenant.id, data, 'big'));
});
afterAll(() => t?.close());

/** GET over a fresh connection: the status code, or the error code if the connection itself failed. */
function probe(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Spawns the real `main.ts` against this file's database, queue prefix and bucket; ready once /readyz is 200. */
function startMain(): Promise<ServiceProcess> {
  const env = Object.fromEntries(Object.entries(t.config).map(([key, value]) => [key, String(value)]));
  return spawnService({
    service: 'api',
    source: true,
    env: {
      ...env,
      PORT: '0',
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
  });
}

/** The request log's line for the finished download, if the server has finished it. */
function downloadLog(main: ServiceProcess): { res: { statusCode: number }; msg: string } | undefined {
  const line = main.log.findAll(`/v2/images/${imageId}/file`).find((l) => l.json?.['res'] !== undefined);
  return line?.json as { res: { statusCode: number }; msg: string } | undefined;
}

describe('graceful shutdown (main.ts)', () => {
  it('lets an in-flight download finish after SIGTERM while refusing new connections, then exits 0', async () => {
    const main = await startMain();
    const { port } = main;
    // A keep-alive agent, as real clients (glanceclient/requests) use.
    const agent = new Agent({ keepAlive: true });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        get(
          {
            host: '127.0.0.1',
            port,
            path: `/v2/images/${imageId}/file`,
            agent,
            headers: { 'X-Auth-Token': tenant.tokens.observer },
          },
          resolve,
        ).on('error', reject);
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(SIZE));

      // A slow reader: after the first chunk it stops reading until released, then reads a chunk per tick.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const hash = createHash('md5');
      let received = 0;
      let firstChunk!: () => void;
      const gotFirstChunk = new Promise<void>((resolve) => {
        firstChunk = resolve;
      });
      const download = (async () => {
        for await (const chunk of res) {
          hash.update(chunk as Buffer);
          received += (chunk as Buffer).length;
          if (received === (chunk as Buffer).length) {
            firstChunk();
            await released;
          } else {
            await sleep(1);
          }
        }
        return Date.now();
      })();
      // The body must arrive complete: an error or early end fails the download promise or the checks below.
      download.catch(() => {});
      await gotFirstChunk;
      await sleep(500); // let the server fill every buffer and block on backpressure
      expect(received).toBeLessThan(SIZE);
      expect(downloadLog(main)).toBeUndefined();

      const sigtermAt = Date.now();
      main.signal('SIGTERM');
      await main.waitForLog({ msg: 'shutting down' }, 5_000);

      // Draining: readiness on the ops listener says 503 and a new tenant connection is refused...
      const opsPort = main.opsPort;
      await expect.poll(() => probe(opsPort, '/readyz'), { timeout: 5_000, interval: 50 }).toBe(503);
      await expect
        .poll(() => probe(port, '/openapi.json'), { timeout: 5_000, interval: 50 })
        .toBe('ECONNREFUSED');
      // ...while the download is held open: the server neither cut it nor exited.
      await sleep(1_000);
      expect(main.running).toBe(true);
      expect(res.destroyed).toBe(false);
      expect(downloadLog(main)).toBeUndefined();
      expect(received).toBeLessThan(SIZE);

      release();
      const bodyDoneAt = await download;
      expect(received).toBe(SIZE);
      expect(hash.digest('hex')).toBe(md5);

      const exit = await main.exited;
      const exitAfterMs = Date.now() - sigtermAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(exitAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      // The kept-alive socket is closed as soon as its response ends, not after the 5 s keep-alive timeout.
      expect(Date.now() - bodyDoneAt).toBeLessThan(3_000);
      // The server saw the download complete (not aborted) before it stopped.
      const log = main.log.text;
      expect(downloadLog(main)).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
      expect(log.indexOf('"api stopped"')).toBeGreaterThan(log.indexOf(`/v2/images/${imageId}/file`));
      console.info(
        `graceful shutdown: body done ${bodyDoneAt - sigtermAt} ms and exit ${exitAfterMs} ms after SIGTERM`,
      );
    } finally {
      agent.destroy();
      await main.ensureStopped();
    }
  });
});
