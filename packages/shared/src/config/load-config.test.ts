import { describe, expect, it } from 'vitest';
import { secretKeyId } from '../security/secret-box.js';
import {
  databaseConfig,
  objectStoreConfig,
  redisConfig,
  requireTenantSecretKeys,
  tenantSecretKeyConfig,
  tenantSecretKeys,
} from './fragments.js';
import { ConfigError, parseConfig } from './load-config.js';

const schema = databaseConfig
  .extend(redisConfig.shape)
  .extend(objectStoreConfig.shape)
  .extend(tenantSecretKeyConfig.shape)
  .superRefine(requireTenantSecretKeys);
const good = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/db',
  REDIS_URL: 'redis://localhost:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'ak',
  S3_SECRET_KEY: 'sk',
  TENANT_SECRET_KEY: 'a'.repeat(64),
};

function problemsOf(env: Record<string, string | undefined>) {
  try {
    parseConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('accepts a complete environment and applies defaults', () => {
    const config = parseConfig(schema, good);
    expect(config.DATABASE_POOL_MAX).toBe(10);
    expect(config.S3_PART_SIZE).toBe(16 * 1024 * 1024);
    expect(config.QUEUE_PREFIX).toBe('cloud-images');
  });

  it('names a missing variable', () => {
    const { DATABASE_URL: _, ...rest } = good;
    expect(problemsOf(rest)).toEqual([{ variable: 'DATABASE_URL', problem: 'is required but not set' }]);
  });

  it('treats an empty value as unset', () => {
    expect(problemsOf({ ...good, S3_SECRET_KEY: '' })[0]?.variable).toBe('S3_SECRET_KEY');
  });

  it('names every malformed variable with the reason', () => {
    const problems = problemsOf({
      ...good,
      REDIS_URL: 'http://nope',
      S3_PART_SIZE: '1024',
      TENANT_SECRET_KEY: 'short',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'REDIS_URL',
      'S3_PART_SIZE',
      'TENANT_SECRET_KEY',
    ]);
    const message = new ConfigError(problems).message;
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('S3_PART_SIZE: must be at least 5 MiB');
  });

  it('coerces numbers and rejects non-numbers', () => {
    expect(parseConfig(schema, { ...good, DATABASE_POOL_MAX: '3' }).DATABASE_POOL_MAX).toBe(3);
    expect(problemsOf({ ...good, DATABASE_POOL_MAX: 'many' })[0]?.variable).toBe('DATABASE_POOL_MAX');
  });

  describe('master keys', () => {
    const { TENANT_SECRET_KEY: _, ...noKey } = good;
    const a = 'a'.repeat(64);
    const b = Buffer.alloc(32, 7).toString('base64');

    it('reads TENANT_SECRET_KEYS in order, current first, with derived or explicit ids', () => {
      const keys = tenantSecretKeys(parseConfig(schema, { ...noKey, TENANT_SECRET_KEYS: `${a}, old:${b}` }));
      expect(keys.map((k) => k.id)).toEqual([secretKeyId(Buffer.from(a, 'hex')), 'old']);
      expect(keys[1]?.key).toEqual(Buffer.alloc(32, 7));
    });

    it('accepts TENANT_SECRET_KEY as a one-key list', () => {
      expect(tenantSecretKeys(parseConfig(schema, good)).map((k) => k.id)).toEqual([
        secretKeyId(Buffer.from(a, 'hex')),
      ]);
    });

    it('prefers TENANT_SECRET_KEYS when both are set', () => {
      const keys = tenantSecretKeys(parseConfig(schema, { ...good, TENANT_SECRET_KEYS: `new:${b}` }));
      expect(keys.map((k) => k.id)).toEqual(['new']);
    });

    it('requires one of the two and never echoes a bad key', () => {
      expect(problemsOf(noKey)).toEqual([
        { variable: 'TENANT_SECRET_KEYS', problem: expect.stringContaining('is required') },
      ]);
      const problems = problemsOf({ ...noKey, TENANT_SECRET_KEYS: `${a},x:not-a-key-SECRETISH` });
      expect(problems[0]?.variable).toBe('TENANT_SECRET_KEYS');
      expect(JSON.stringify(problems)).not.toContain('SECRETISH');
      expect(problemsOf({ ...noKey, TENANT_SECRET_KEYS: `k:${a},k:${b}` })[0]?.problem).toContain('two keys');
    });
  });
});
