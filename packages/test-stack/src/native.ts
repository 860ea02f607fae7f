import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Account, proxyReady, REGION, startAccessLogReceiver, startSwift } from './native-swift.js';
import { exitedGuard, ProcessSupervisor, type Supervised } from './processes.js';
import type { S3Credentials, StackInfo } from './types.js';
import { fixedSecret, freePorts, run, tcpCheck, waitFor } from './util.js';

export const PG_BIN = process.env.TEST_STACK_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** What the process exit/signal handlers need to tear a backend down. */
export interface Cleanup {
  /** Synchronous best-effort cleanup (SIGKILL everything, remove files). */
  killSync(): void;
  /** After `killSync`, resolves once the killed processes are reaped (bounded wait). */
  waitExited(): Promise<void>;
}

/** Registers a backend for cleanup as soon as it has anything to clean; returns the unregister function. */
export type RegisterCleanup = (cleanup: Cleanup) => () => void;

export interface StartedBackend {
  info: StackInfo;
  stop(): Promise<void>;
  /** Restarts one backend in place (same port, same data); resolves once it answers again. Native only. */
  restart?(service: RestartableService): Promise<void>;
}

/** The backends a chaos run may restart: Postgres (fast shutdown, then start) and the S3 endpoint (Swift's proxy). */
export type RestartableService = 'postgres' | 's3';

export async function startNative(tenants: number, register: RegisterCleanup): Promise<StartedBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'cloud-images-stack-'));
  chmodSync(dir, 0o755); // the postgres user must traverse it
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const sup = new ProcessSupervisor(dir, logDir);
  sup.startWatchdog();
  const accessLogPath = join(logDir, 'swift-access.log');
  const accessLog = await startAccessLogReceiver(accessLogPath);

  let removed = false;
  const removeDir = () => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = register({
    killSync: () => {
      sup.killSync();
      removeDir();
    },
    waitExited: () => sup.waitExited(),
  });
  const stop = async () => {
    try {
      accessLog.socket.close();
      await sup.stop();
      removeDir();
    } finally {
      unregister();
    }
  };

  try {
    const [pgPort, redisPort, memcachedPort, proxyPort, accountPort, containerPort, objectPort] =
      (await freePorts(7)) as [number, number, number, number, number, number, number];

    const service: Account = { account: 'service', user: 'images', secret: fixedSecret('service:images') };
    const tenantAccounts: Account[] = Array.from({ length: tenants }, (_, i) => ({
      account: `tenant${i + 1}`,
      user: 'user',
      secret: fixedSecret(`tenant${i + 1}:user`),
    }));
    // A second user in each tenant's account: the same buckets under another key pair (credential rotation).
    const secondUsers: Account[] = tenantAccounts.map((a) => ({
      account: a.account,
      user: 'user2',
      secret: fixedSecret(`${a.account}:user2`),
    }));
    const restricted: Account = {
      account: 'tenant1',
      user: 'restricted',
      secret: fixedSecret('tenant1:restricted'),
      restricted: true,
    };
    const creds = (a: Account): S3Credentials => ({
      accessKey: `${a.account}:${a.user}`,
      secretKey: a.secret,
    });

    const [pgVersion, redisVersion, memcachedVersion] = await Promise.all([
      run(join(PG_BIN, 'postgres'), ['--version']),
      run('redis-server', ['--version']),
      run('memcached', ['-V']),
    ]);

    const postgres = startPostgres(sup, dir, pgPort);
    const redis = startRedis(sup, dir, redisPort);
    const swift = startSwift(sup, dir, {
      memcachedPort,
      proxyPort,
      accountPort,
      containerPort,
      objectPort,
      accounts: [service, ...tenantAccounts, ...secondUsers, restricted],
      accessLogPort: accessLog.port,
      serviceCreds: creds(service),
    });
    const [postgresServer, , swiftStarted] = await Promise.all([postgres, redis, swift]);
    const swiftVersion = swiftStarted.version;
    const running = { postgres: postgresServer, s3: swiftStarted.proxy };

    const info: StackInfo = {
      mode: 'native',
      postgres: {
        adminUrl: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
        host: '127.0.0.1',
        port: pgPort,
        user: 'postgres',
        password: 'postgres',
      },
      redis: { host: '127.0.0.1', port: redisPort, url: `redis://127.0.0.1:${redisPort}` },
      s3: {
        endpoint: `http://127.0.0.1:${proxyPort}`,
        host: '127.0.0.1',
        port: proxyPort,
        useSSL: false,
        region: REGION,
        service: creds(service),
        tenants: tenantAccounts.map(creds),
        tenantSecondUsers: secondUsers.map(creds),
        restrictedUser: creds(restricted),
        tenantIsolation: 'account',
        accessLogPath,
      },
      versions: {
        postgres: pgVersion,
        redis: redisVersion.split(' ').slice(0, 3).join(' '),
        swift: `swift ${swiftVersion} (s3api + tempauth)`,
        memcached: memcachedVersion,
      },
    };
    const restart = async (which: RestartableService): Promise<void> => {
      running[which] = await sup.respawn(running[which]);
      if (which === 'postgres') await postgresReady(sup, running.postgres, pgPort);
      else await proxyReady(sup, running.s3, proxyPort, creds(service));
    };
    return { info, stop, restart };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

function serviceUser(name: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined; // not root: run everything as ourselves
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`user ${name} not found: root cannot run postgres (apt-get install -y postgresql)`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

async function startPostgres(sup: ProcessSupervisor, dir: string, port: number): Promise<Supervised> {
  const pgDir = join(dir, 'pg');
  mkdirSync(pgDir);
  const owner = serviceUser('postgres');
  if (owner) chownSync(pgDir, owner.uid, owner.gid);
  const data = join(pgDir, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  const initdb = sup.spawn(
    'initdb',
    join(PG_BIN, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { cwd: pgDir, env, ...owner },
  );
  const result = await initdb.exited;
  if (result.code !== 0) throw new Error(`initdb failed (${result.code}):\n${sup.logTail(initdb)}`);

  const server = sup.spawn(
    'postgres',
    join(PG_BIN, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      pgDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { cwd: pgDir, env, ...owner, stopSignal: 'SIGINT' },
  );
  await postgresReady(sup, server, port);
  return server;
}

async function postgresReady(sup: ProcessSupervisor, server: Supervised, port: number): Promise<void> {
  await waitFor(
    'postgres',
    async () => {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    },
    { timeoutMs: 30_000, abort: exitedGuard(sup, server) },
  );
}

async function startRedis(sup: ProcessSupervisor, dir: string, port: number): Promise<void> {
  const redisDir = join(dir, 'redis');
  mkdirSync(redisDir);
  const server = sup.spawn('redis', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    redisDir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ]);
  await waitFor('redis', () => tcpCheck(port, 'PING\r\n', '+PONG'), {
    timeoutMs: 15_000,
    intervalMs: 25,
    abort: exitedGuard(sup, server),
  });
}
