import { createSocket, type Socket } from 'node:dgram';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client as MinioClient } from 'minio';
import { exitedGuard, type ProcessSupervisor, type Supervised } from './processes.js';
import type { S3Credentials } from './types.js';
import { run, tcpCheck, waitFor } from './util.js';

/**
 * Swift as the native S3 endpoint: memcached, the account/container/object servers and a proxy with s3api and
 * tempauth, one tempauth account per tenant, and the proxy's access log received over UDP.
 */

export const PYTHON = process.env.TEST_STACK_PYTHON ?? '/usr/bin/python3';
export const REGION = 'us-east-1';

export interface Account {
  account: string;
  user: string;
  secret: string;
  /** A tempauth user without `.admin` may sign in but not list or touch the account (403 AccessDenied). */
  restricted?: boolean;
}

export interface SwiftOptions {
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
export async function startAccessLogReceiver(path: string): Promise<{ socket: Socket; port: number }> {
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
export async function startSwift(
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
export async function proxyReady(
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
