import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ServiceProcess } from './service-process.js';
import { freePorts, waitFor } from './util.js';

export interface PrivateRedis {
  port: number;
  /** `redis://127.0.0.1:<port>`: the same across restarts. */
  url: string;
  /** Whether redis-server is running now. */
  readonly running: boolean;
  /** (Re)starts redis-server on the same port; it loads the data the last `stop()` saved, if any. */
  start(): Promise<void>;
  /**
   * Shuts redis-server down. By default it saves its data first (SHUTDOWN SAVE), so the next `start()` has the
   * keys back, as a production Redis with persistence would; `{ keepData: false }` discards them instead.
   */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /**
   * SIGKILL, as a crash would: nothing is saved (data from an earlier `stop()` stays; with `appendOnly`, the
   * append-only file keeps every write up to the last fsync, about a second). `{ keepData: false }` also deletes
   * whatever is on disk, so the next `start()` is empty.
   */
  kill(options?: { keepData?: boolean }): Promise<void>;
  /** For afterAll: kills it and removes its directory. */
  destroy(): Promise<void>;
}

export interface PrivateRedisOptions {
  /**
   * Run with `appendonly yes` (fsync every second), as a production Redis with persistence: a SIGKILL then keeps
   * the data (bench/load's chaos restarts it "with its data"). Default false: data survives only `stop()`.
   */
  appendOnly?: boolean;
}

/**
 * A private redis-server for tests that stop, kill or restart Redis: never the shared stack's. By default
 * persistence is off while it runs; data survives only an explicit `stop()`, in a private directory.
 */
export async function startRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const [port] = (await freePorts(1)) as [number];
  const dir = mkdtempSync(join(tmpdir(), 'private-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const dumpFile = 'dump.rdb';
  const appendDir = 'appendonly';
  const removeData = () => {
    rmSync(join(dir, dumpFile), { force: true });
    rmSync(join(dir, appendDir), { recursive: true, force: true });
  };
  let server: ServiceProcess | undefined;
  const isRunning = () => server?.running === true;

  async function start(): Promise<void> {
    if (isRunning()) throw new Error(`redis-server on ${port} is already running`);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', dumpFile];
    // BullMQ needs noeviction. No snapshots while running; AOF only if asked for, so otherwise only stop() decides
    // what survives.
    args.push(
      '--save',
      '',
      '--appendonly',
      options.appendOnly ? 'yes' : 'no',
      '--maxmemory-policy',
      'noeviction',
    );
    if (options.appendOnly) args.push('--appenddirname', appendDir, '--appendfsync', 'everysec');
    const started = ServiceProcess.start({ name: `redis-${port}`, command: 'redis-server', args, cwd: dir });
    server = started;
    await waitFor(`redis-server on ${port}`, () => ping(url), {
      timeoutMs: 10_000,
      intervalMs: 50,
      abort: () => {
        if (!started.running) throw new Error(`redis-server exited:\n${started.log.text}`);
      },
    });
  }

  async function stop({ keepData = true } = {}): Promise<void> {
    const running = server;
    if (!running?.running) return;
    const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    // The connection drops as the server exits, so the reply never comes: that is the success case.
    await client.call('SHUTDOWN', keepData ? 'SAVE' : 'NOSAVE').catch(() => {});
    client.disconnect();
    await running.exited;
    if (!keepData) removeData();
  }

  async function kill({ keepData = true } = {}): Promise<void> {
    await server?.kill('SIGKILL');
    if (!keepData) removeData();
  }

  async function destroy(): Promise<void> {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  }

  await start();
  return {
    port,
    url,
    get running() {
      return isRunning();
    },
    start,
    stop,
    kill,
    destroy,
  };
}

async function ping(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } finally {
    probe.disconnect();
  }
}
