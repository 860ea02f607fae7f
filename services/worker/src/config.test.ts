import { availableParallelism, hostname } from 'node:os';
import { availableCpus, ConfigError, parseConfig } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { workerConfigSchema } from './config.js';

const required = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/db',
  REDIS_URL: 'redis://localhost:6379',
  S3_ENDPOINT: 'http://localhost:8080',
  S3_ACCESS_KEY: 'a',
  S3_SECRET_KEY: 's',
  TENANT_SECRET_KEY: 'ab'.repeat(32),
};

describe('worker config', () => {
  it('has defaults fit for streams that run for minutes', () => {
    expect(parseConfig(workerConfigSchema, required)).toMatchObject({
      WORKER_CONCURRENCY: Math.max(2, availableCpus()),
      WORKER_HASH_THREADS: Math.max(1, availableCpus() - 1),
      WORKER_HOST_ID: hostname(),
      WORKER_HOST_SLOTS: Math.max(2, 2 * availableParallelism()),
      JOB_LOCK_DURATION_MS: 60_000,
      JOB_STALLED_INTERVAL_MS: 30_000,
      SHUTDOWN_TIMEOUT_MS: 25_000,
      PROGRESS_INTERVAL_MS: 1_000,
      HEALTH_PORT: 9393,
      HEALTH_HOST: '0.0.0.0',
      QUEUE_PREFIX: 'cloud-images',
      IMAGE_STORE_BUCKET: 'cloud-images-store',
      S3_PART_SIZE: 16 * 1024 * 1024,
      S3_CONNECT_TIMEOUT_MS: 10_000,
      S3_SOCKET_TIMEOUT_MS: 60_000,
      S3_REQUEST_TIMEOUT_MS: 60_000,
      TASK_TTL_SECONDS: 48 * 3600,
      MAX_VIRTUAL_SIZE_BYTES: 40 * 1024 ** 3,
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable', () => {
    try {
      parseConfig(workerConfigSchema, { ...required, WORKER_CONCURRENCY: '0', REDIS_URL: undefined });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['REDIS_URL', 'WORKER_CONCURRENCY']);
    }
  });
});
