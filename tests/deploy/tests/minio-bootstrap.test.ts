/**
 * deploy/minio/bootstrap.sh runs against MinIO with `mc`, neither of which exists here. Stand-in: run the
 * script with a recording `mc` stub on PATH, and check what it would do and the policies it would install.
 */
import { chmodSync, mkdtempSync as makeTemp, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath, report, run } from './helpers.js';

const script = repoPath('deploy/minio/bootstrap.sh');
const temporary: string[] = [];
const mkdtempSync = (prefix: string) => {
  const dir = makeTemp(prefix);
  temporary.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

interface Policy {
  Statement: { Effect: string; Action: string[]; Resource: string[] }[];
}

function stub(dir: string) {
  const log = join(dir, 'calls.log');
  const mc = join(dir, 'mc');
  // Records each call; keeps a copy of each policy file; answers "already attached" when told to.
  writeFileSync(
    mc,
    `#!/bin/sh
echo "$*" >> "${log}"
if [ "$1 $2 $3" = "admin policy create" ]; then cp "$6" "${dir}/policy-$5.json"; fi
if [ "$1 $2 $3" = "admin policy attach" ] && [ -n "$MC_STUB_ALREADY" ]; then
  echo "mc: <ERROR> Unable to attach policy: policy $5 is already attached" >&2; exit 1
fi
exit 0
`,
  );
  chmodSync(mc, 0o755);
  return { log };
}

const env = (dir: string, extra: Record<string, string> = {}) => ({
  PATH: `${dir}:${process.env.PATH}`,
  TMPDIR: dir,
  MINIO_ROOT_USER: 'root',
  MINIO_ROOT_PASSWORD: 'root-secret',
  SERVICE_ACCESS_KEY: 'cloud-images-service',
  SERVICE_SECRET_KEY: 'service-secret',
  DEMO_TENANT_SECRET_KEY: 'tenant-secret',
  ...extra,
});

describe('deploy/minio/bootstrap.sh', () => {
  it('is valid POSIX sh', async () => {
    const result = await run('sh', ['-n', script]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('creates the image store + service user, and the demo tenant with a policy scoped to its buckets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minio-bootstrap-'));
    const { log } = stub(dir);
    const result = await run('sh', [script], { env: env(dir) });
    expect(result.code, result.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    report('minio bootstrap (mc stub): mc calls', calls.join('\n'));
    expect(calls).toEqual([
      'alias set local http://minio:9000 root root-secret',
      'mb --ignore-existing local/cloud-images-store',
      'anonymous set none local/cloud-images-store',
      expect.stringMatching(/^admin policy create local cloud-images-service \S+\/service-policy\.json$/),
      'admin user add local cloud-images-service service-secret',
      'admin policy attach local cloud-images-service --user cloud-images-service',
      expect.stringMatching(/^admin policy create local tenant-demo-tenant \S+\/tenant-policy\.json$/),
      'admin user add local demo-tenant tenant-secret',
      'admin policy attach local tenant-demo-tenant --user demo-tenant',
      'mb --ignore-existing local/demo-images',
    ]);

    const service = JSON.parse(readFileSync(join(dir, 'policy-cloud-images-service.json'), 'utf8')) as Policy;
    const tenant = JSON.parse(readFileSync(join(dir, 'policy-tenant-demo-tenant.json'), 'utf8')) as Policy;
    const resources = (p: Policy) => p.Statement.flatMap((s) => s.Resource);
    expect(resources(service).sort()).toEqual([
      'arn:aws:s3:::cloud-images-store',
      'arn:aws:s3:::cloud-images-store/*',
    ]);
    expect(resources(tenant).sort()).toEqual(['arn:aws:s3:::demo-*', 'arn:aws:s3:::demo-*/*']);
    // The tenant's container is inside its own scope; the image store is not.
    expect('demo-images').toMatch(/^demo-/);
    expect('cloud-images-store').not.toMatch(/^demo-/);
  });

  it('is idempotent: a second run where the policies are already attached succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minio-bootstrap-'));
    stub(dir);
    const result = await run('sh', [script], { env: env(dir, { MC_STUB_ALREADY: '1' }) });
    expect(result.code, result.stderr).toBe(0);
  });

  it('refuses a demo container outside the tenant prefix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minio-bootstrap-'));
    stub(dir);
    const result = await run('sh', [script], { env: env(dir, { DEMO_TENANT_CONTAINER: 'other-bucket' }) });
    expect(result.code).toBe(2);
  });
});
