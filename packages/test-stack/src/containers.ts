import { execFileSync } from 'node:child_process';
import type { RegisterCleanup, StartedBackend } from './native.js';
import type { StackInfo } from './types.js';

export const POSTGRES_IMAGE = 'postgres:16-alpine';
export const REDIS_IMAGE = 'redis:7-alpine';
export const MINIO_IMAGE = 'minio/minio';
const REGION = 'us-east-1';

interface Stoppable {
  stop(): Promise<unknown>;
  getId(): string;
}

/**
 * Postgres, Redis and MinIO with testcontainers. Containers are also removed by testcontainers' Ryuk reaper
 * if this process dies. Tenants all get the MinIO root credentials (isolation by bucket only).
 */
export async function startContainers(tenants: number, register: RegisterCleanup): Promise<StartedBackend> {
  const [{ PostgreSqlContainer }, { RedisContainer }, { MinioContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
    import('@testcontainers/minio'),
  ]);

  const results = await Promise.allSettled([
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .withCommand([
        'postgres',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'max_connections=200',
      ])
      .start(),
    new RedisContainer(REDIS_IMAGE)
      .withCommand(['redis-server', '--maxmemory-policy', 'noeviction', '--save', '', '--appendonly', 'no'])
      .start(),
    new MinioContainer(MINIO_IMAGE).withUsername('minioadmin').withPassword('minioadmin-secret').start(),
  ]);
  const started: Stoppable[] = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const killSync = () => {
    // Best effort; Ryuk removes them anyway once this process's connection to it closes.
    const ids = started.map((c) => c.getId());
    if (ids.length === 0) return;
    try {
      execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // no docker CLI (e.g. podman): Ryuk handles it
    }
  };
  const unregister = register({ killSync, waitExited: async () => {} });
  const stop = async () => {
    try {
      await Promise.allSettled(started.map((c) => c.stop()));
    } finally {
      unregister();
    }
  };
  const [pgResult, redisResult, minioResult] = results;
  if (
    pgResult?.status !== 'fulfilled' ||
    redisResult?.status !== 'fulfilled' ||
    minioResult?.status !== 'fulfilled'
  ) {
    await stop();
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    throw new Error(`starting containers failed: ${reasons.join('; ')}`);
  }
  const postgres = pgResult.value;
  const redis = redisResult.value;
  const minio = minioResult.value;

  const root = { accessKey: minio.getUsername(), secretKey: minio.getPassword() };
  const [pgVersion, redisVersion] = await Promise.all([
    postgres.exec(['postgres', '--version']).then((r) => r.output.trim()),
    redis.exec(['redis-server', '--version']).then((r) => r.output.trim().split(' ').slice(0, 3).join(' ')),
  ]);

  const info: StackInfo = {
    mode: 'containers',
    postgres: {
      adminUrl: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}/postgres`,
      host: postgres.getHost(),
      port: postgres.getPort(),
      user: postgres.getUsername(),
      password: postgres.getPassword(),
    },
    redis: {
      host: redis.getHost(),
      port: redis.getPort(),
      url: `redis://${redis.getHost()}:${redis.getPort()}`,
    },
    s3: {
      endpoint: minio.getConnectionUrl(),
      host: minio.getHost(),
      port: minio.getPort(),
      useSSL: false,
      region: REGION,
      service: root,
      tenants: Array.from({ length: tenants }, () => ({ ...root })),
      tenantSecondUsers: Array.from({ length: tenants }, () => ({ ...root })),
      tenantIsolation: 'bucket',
    },
    versions: {
      postgres: `${pgVersion} (${POSTGRES_IMAGE})`,
      redis: `${redisVersion} (${REDIS_IMAGE})`,
      minio: MINIO_IMAGE,
    },
  };
  return { info, stop };
}
