import { createSocket, type Socket } from 'node:dgram';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client as MinioClient } from 'minio';
import pg from 'pg';
import { ProcessSupervisor, type Supervised } from './processes.js';
import type { S3Credentials, StackInfo } from './types.js';
import { fixedSecret, freePorts, run, tcpCheck, waitFor } from './util.js';

export const PG_BIN = process.env.TEST_STACK_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const PYTHON = process.env.TEST_STACK_PYTHON ?? '/usr/bin/python3';
const REGION = 'us-east-1';

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

interface Account {
  account: string;
  user: string;
  secret: string;
  /** A tempauth user without `.admin` may sign in but not list or touch the account (403 AccessDenied). */
  restricted?: boolean;
}

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

function exitedGuard(sup: ProcessSupervisor, proc: Supervised): () => void {
  return () => {
    if (proc.hasExited()) {
      throw new Error(`${proc.name} exited during startup:\n${sup.logTail(proc)}`);
    }
  };
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

interface SwiftOptions {
  memcachedPort: number;
  proxyPort: number;
  accountPort: number;
  containerPort: number;
  objectPort: number;
  accounts: Account[];
  serviceCreds: S3Credentials;
  /** UDP port the proxy's access log goes to (startAccessLogReceiver). */
  accessLogPort: number;
}

/**
 * Swift's access log, received over UDP (no syslog here) and appended to `path`, one request per line. The proxy
 * logs each S3 request's Authorization header (the access key in its Credential=, and a signature: never a
 * secret), so tests can tell which key pair signed a request.
 */
async function startAccessLogReceiver(path: string): Promise<{ socket: Socket; port: number }> {
  writeFileSync(path, '');
  const socket = createSocket('udp4');
  socket.on('message', (message) => appendFileSync(path, `${message.toString('utf8').trimEnd()}\n`));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.unref();
  return { socket, port: socket.address().port };
}

const RING_SCRIPT = `
import sys, json
import swift
from swift.common.ring import RingBuilder
swift_dir, ports = sys.argv[1], json.loads(sys.argv[2])
for kind in ('account', 'container', 'object'):
    b = RingBuilder(6, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': ports[kind],
               'device': 'sdb1', 'weight': 100.0, 'meta': ''})
    b.rebalance()
    b.get_ring().save('%s/%s.ring.gz' % (swift_dir, kind))
print(swift.__version__)
`;

/** Starts memcached + Swift (account, container, object, proxy with s3api/tempauth): its version and the proxy process. */
async function startSwift(
  sup: ProcessSupervisor,
  dir: string,
  o: SwiftOptions,
): Promise<{ version: string; proxy: Supervised }> {
  const asRoot = process.getuid?.() === 0;
  const memcached = sup.spawn('memcached', 'memcached', [
    ...(asRoot ? ['-u', 'root'] : []),
    '-U',
    '0',
    '-l',
    '127.0.0.1',
    '-p',
    String(o.memcachedPort),
    '-m',
    '64',
  ]);

  const swiftDir = join(dir, 'swift');
  const devices = join(swiftDir, 'node');
  mkdirSync(join(devices, 'sdb1'), { recursive: true });
  const user = userInfo().username;
  writeFileSync(
    join(swiftDir, 'swift.conf'),
    `[swift-hash]\nswift_hash_path_suffix = cloud-images-test\nswift_hash_path_prefix = cloud-images-test\n\n` +
      `[storage-policy:0]\nname = Policy-0\ndefault = yes\n`,
  );
  const common = (port: number, name: string) =>
    `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${port}\nworkers = 0\nuser = ${user}\nswift_dir = ${swiftDir}\n` +
    `devices = ${devices}\nmount_check = false\ndisable_fallocate = true\nlog_name = ${name}\nlog_level = WARNING\n\n`;
  for (const [kind, port] of [
    ['account', o.accountPort],
    ['container', o.containerPort],
    ['object', o.objectPort],
  ] as const) {
    writeFileSync(
      join(swiftDir, `${kind}-server.conf`),
      common(port, `${kind}-server`) +
        `[pipeline:main]\npipeline = ${kind}-server\n\n[app:${kind}-server]\nuse = egg:swift#${kind}\n`,
    );
  }
  const users = o.accounts
    .map((a) => `user_${a.account}_${a.user} = ${a.secret}${a.restricted ? '' : ' .admin'}`)
    .join('\n');
  writeFileSync(
    join(swiftDir, 'proxy-server.conf'),
    common(o.proxyPort, 'proxy-server') +
      `[pipeline:main]\npipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server\n\n` +
      `[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n\n` +
      `[filter:catch_errors]\nuse = egg:swift#catch_errors\n\n` +
      `[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n\n` +
      `[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n` +
      `[filter:proxy-logging]\nuse = egg:swift#proxy_logging\naccess_log_udp_host = 127.0.0.1\naccess_log_level = INFO\n` +
      `access_log_udp_port = ${o.accessLogPort}\naccess_log_headers = true\naccess_log_headers_only = Authorization\n` +
      // The header shows its first 100 characters: the Credential= (access key), never a secret.
      `reveal_sensitive_prefix = 100\n\n` +
      `[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:${o.memcachedPort}\n\n` +
      `[filter:listing_formats]\nuse = egg:swift#listing_formats\n\n` +
      `[filter:s3api]\nuse = egg:swift#s3api\nlocation = ${REGION}\nmax_upload_part_num = 10000\n\n` +
      `[filter:tempauth]\nuse = egg:swift#tempauth\n${users}\n\n` +
      `[filter:copy]\nuse = egg:swift#copy\n\n` +
      `[filter:slo]\nuse = egg:swift#slo\n\n` +
      `[filter:dlo]\nuse = egg:swift#dlo\n`,
  );

  const version = await run(PYTHON, [
    '-c',
    RING_SCRIPT,
    swiftDir,
    JSON.stringify({ account: o.accountPort, container: o.containerPort, object: o.objectPort }),
  ]).catch((err: unknown) => {
    throw new Error(
      `building Swift rings failed (apt-get install -y swift swift-proxy swift-object swift-container swift-account memcached): ${err}`,
    );
  });

  const servers = (['account', 'container', 'object', 'proxy'] as const).map((kind) =>
    sup.spawn(`swift-${kind}`, PYTHON, [
      `/usr/bin/swift-${kind}-server`,
      join(swiftDir, `${kind}-server.conf`),
    ]),
  );
  const guards = [memcached, ...servers].map((p) => exitedGuard(sup, p));
  const abort = () => {
    for (const g of guards) g();
  };
  const opts = { timeoutMs: 60_000, intervalMs: 100, abort };
  await Promise.all([
    waitFor('memcached', () => tcpCheck(o.memcachedPort), opts),
    waitFor('swift account server', () => tcpCheck(o.accountPort), opts),
    waitFor('swift container server', () => tcpCheck(o.containerPort), opts),
    waitFor('swift object server', () => tcpCheck(o.objectPort), opts),
  ]);
  await proxyReady(sup, servers[3]!, o.proxyPort, o.serviceCreds, abort);
  return { version, proxy: servers[3]! };
}

/** The proxy answers /healthcheck and an S3 ListBuckets signed with the service credentials succeeds. */
async function proxyReady(
  sup: ProcessSupervisor,
  proxy: Supervised,
  port: number,
  serviceCreds: S3Credentials,
  abort: () => void = exitedGuard(sup, proxy),
): Promise<void> {
  const opts = { timeoutMs: 60_000, intervalMs: 100, abort };
  await waitFor(
    'swift proxy /healthcheck',
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthcheck`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    opts,
  );
  const s3 = new MinioClient({
    endPoint: '127.0.0.1',
    port,
    useSSL: false,
    region: REGION,
    pathStyle: true,
    accessKey: serviceCreds.accessKey,
    secretKey: serviceCreds.secretKey,
  });
  await waitFor('S3 ListBuckets (service account)', () => s3.listBuckets(), opts);
}
