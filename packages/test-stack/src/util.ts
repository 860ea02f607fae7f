import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';

/** Distinct free TCP ports on 127.0.0.1 (all listeners stay open until every port is chosen). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns without throwing. `abort` is consulted between attempts and may throw
 * (e.g. "the process exited") to fail fast.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T>,
  {
    timeoutMs = 60_000,
    intervalMs = 100,
    abort,
  }: { timeoutMs?: number; intervalMs?: number; abort?: () => void } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    abort?.();
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${errorMessage(lastError)}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves when something accepts a TCP connection on host:port (and optionally answers `send` with `expect`). */
export function tcpCheck(port: number, send?: string, expect?: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buf = '';
    const finish = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(2000, () => finish(new Error('timeout')));
    socket.once('error', finish);
    socket.once('connect', () => {
      if (send === undefined) finish();
      else socket.write(send);
    });
    socket.on('data', (d) => {
      buf += d.toString();
      if (expect !== undefined && buf.includes(expect)) finish();
    });
  });
}

export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Deterministic "random-ish" secret for a fixed name. */
export function fixedSecret(name: string): string {
  return createHash('sha256').update(`cloud-images-test-stack:${name}`).digest('hex').slice(0, 24);
}
