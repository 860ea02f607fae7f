import { afterAll, describe, expect, it } from 'vitest';
import { loggedPortReadiness, type ServiceProcess, spawnService } from '../src/index.js';

/** A stand-in service: logs pino-style JSON, listens on port 0, answers /readyz, exits 0 on SIGTERM. */
const fakeService = `
const http = require('node:http');
const log = (fields, msg) => console.log(JSON.stringify({ ...fields, msg }));
log({ env: process.env.FAKE_SETTING ?? null, leaked: process.env.VITEST ?? null }, 'starting');
console.error('plain text on stderr');
const server = http.createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404).end());
server.listen(0, '127.0.0.1', () => log({ port: server.address().port }, 'fake listening'));
process.once('SIGTERM', () => { log({}, 'shutting down'); server.close(() => process.exit(0)); });
`;

const started: ServiceProcess[] = [];
afterAll(() => Promise.all(started.map((s) => s.ensureStopped())));

async function startFake(env: Record<string, string> = {}) {
  const service = await spawnService({
    name: 'fake',
    args: ['-e', fakeService],
    env,
    ready: loggedPortReadiness('fake listening'),
  });
  started.push(service);
  return service;
}

describe('spawnService', () => {
  it('waits for the logged port to answer /readyz, captures both streams, and passes only its env', async () => {
    const service = await startFake({ FAKE_SETTING: 'on' });
    expect(service.running).toBe(true);
    expect(service.port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${service.port}/readyz`)).status).toBe(200);
    expect(service.log.find({ msg: 'starting' })?.json).toMatchObject({ env: 'on', leaked: null });
    expect(service.log.text).toContain('plain text on stderr');
    expect(service.log.find(/^plain text/)?.json).toBeUndefined();
    // A line logged before the wait began is found too.
    expect((await service.waitForLog({ msg: 'starting' }, 1_000)).json).toMatchObject({ env: 'on' });
  });

  it('stop() sends SIGTERM and resolves with the exit once the output is complete', async () => {
    const service = await startFake();
    expect(await service.stop()).toEqual({ code: 0, signal: null });
    expect(service.running).toBe(false);
    expect(service.log.findAll({ msg: 'shutting down' })).toHaveLength(1);
  });

  it('kill() SIGKILLs (no shutdown code runs) and waits for the exit', async () => {
    const service = await startFake();
    expect(await service.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(service.log.find({ msg: 'shutting down' })).toBeUndefined();
    expect(await service.ensureStopped()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('signal() does not wait, so a test can watch the service while it shuts down', async () => {
    const service = await startFake();
    service.signal('SIGTERM');
    await service.waitForLog({ msg: 'shutting down' }, 5_000);
    expect(await service.exited).toEqual({ code: 0, signal: null });
  });

  it('fails fast, with the output, when the service exits before it is ready', async () => {
    const start = Date.now();
    await expect(
      spawnService({
        name: 'crasher',
        args: ['-e', 'console.log("bad config"); process.exit(3)'],
        ready: { log: 'never' },
      }),
    ).rejects.toThrow(/crasher exited \(\{"code":3,"signal":null\}\).*\n.*bad config/s);
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it('kills a service that is not ready in time', async () => {
    const error = await spawnService({
      name: 'sleeper',
      args: ['-e', 'console.log("up"); setInterval(() => {}, 1000)'],
      ready: { log: 'ready' },
      readyTimeoutMs: 500,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/sleeper took over 500 ms before logging ready; output:\nup/);
  });

  it('waits for a fixed URL', async () => {
    const server = await startFake();
    const other = await spawnService({
      args: ['-e', 'setInterval(() => {}, 1000)'],
      ready: { url: `http://127.0.0.1:${server.port}/readyz` },
    });
    started.push(other);
    expect(other.running).toBe(true);
    expect(other.name).toBe('service');
  });
});
