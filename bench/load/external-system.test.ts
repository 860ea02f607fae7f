import { describe, expect, it } from 'vitest';
import { externalSystem } from './external-system.js';

const env = {
  LOAD_TENANTS: JSON.stringify([
    {
      token: 't1',
      s3AccessKey: 'a1',
      s3SecretKey: 's1',
      s3Endpoint: 'http://127.0.0.1:9000',
      bucketPrefix: 'p1-',
    },
    { token: 't2', s3AccessKey: 'a2', s3SecretKey: 's2', s3Endpoint: 'http://127.0.0.1:9000' },
  ]),
  DATABASE_URL: 'postgres://u:p@db:5432/cloud_images',
  REDIS_URL: 'redis://redis:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'service',
  S3_SECRET_KEY: 'secret',
};

describe('externalSystem', () => {
  it('names every missing variable', () => {
    expect(() => externalSystem('http://api:9292', {}, 1)).toThrow(
      /external mode needs its environment.*LOAD_TENANTS.*DATABASE_URL.*REDIS_URL.*S3_ENDPOINT/,
    );
  });

  it('drives the deployment it is given and offers no worker phases or chaos', () => {
    const system = externalSystem('http://api:9292/', env, 2);
    expect(system.mode).toBe('external');
    expect(system.tenants.map((t) => [t.label, t.bucketPrefix])).toEqual([
      ['tenant1', 'p1-'],
      ['tenant2', ''],
    ]);
    expect(system.imageStore.bucket).toBe('cloud-images-store');
    expect(system.setWorkers).toBeUndefined();
    expect(system.chaos).toBeUndefined();
  });

  it('refuses more tenants than LOAD_TENANTS lists', () => {
    expect(() => externalSystem('http://api:9292', env, 3)).toThrow(/--tenants 3 but LOAD_TENANTS lists 2/);
  });
});
