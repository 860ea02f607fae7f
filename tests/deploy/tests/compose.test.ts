import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ComposeFile,
  cleanComposeEnv,
  durationSeconds,
  repoPath,
  repoRoot,
  report,
  resolvedCompose,
  run,
} from './helpers.js';

const composeFile = repoPath('docker-compose.yml');
const dclint = (file: string) =>
  run('pnpm', ['exec', 'dclint', '--no-color', '-c', repoPath('.dclintrc.json'), file], {
    cwd: repoPath('tests/deploy'),
    timeoutMs: 60_000,
  });

let compose: ComposeFile;
beforeAll(async () => {
  compose = await resolvedCompose();
});

describe('docker-compose.yml against the compose schema', () => {
  it('docker-compose config -q (docker-compose v1.29, no daemon) accepts it', async () => {
    const result = await run('docker-compose', ['-f', composeFile, 'config', '-q'], {
      cwd: repoRoot,
      env: cleanComposeEnv,
    });
    report('docker-compose -f docker-compose.yml config -q', `exit ${result.code}\n${result.stderr}`);
    expect(result.code, result.stderr).toBe(0);
  });

  it('dclint (compose-spec JSON schema + lint rules) accepts it', async () => {
    const result = await dclint(composeFile);
    report('dclint docker-compose.yml', `exit ${result.code}\n${result.stdout}${result.stderr}`);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('the validators are not vacuous: both reject a file that breaks the schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-bad-'));
    const bad = join(dir, 'docker-compose.yml');
    writeFileSync(
      bad,
      'services:\n  api:\n    image: x\n    depends_on:\n      db:\n        condition: sometimes\n',
    );
    const v1 = await run('docker-compose', ['-f', bad, 'config', '-q'], { env: cleanComposeEnv });
    const lint = await dclint(bad);
    rmSync(dir, { recursive: true, force: true });
    expect(v1.code).not.toBe(0);
    expect(lint.code).not.toBe(0);
  });
});

describe('docker-compose.yml content', () => {
  const appServices = ['api', 'worker'];

  it('has every service the issue asks for', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'demo-tenant', 'migrate', 'minio', 'minio-init', 'postgres', 'redis', 'worker'].sort(),
    );
  });

  it('runs redis with noeviction and AOF', () => {
    const command = compose.services.redis?.command as string[];
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(flag('--maxmemory-policy')).toBe('noeviction');
    expect(flag('--appendonly')).toBe('yes');
  });

  it('makes the api and the worker wait for the one-shots to complete successfully', () => {
    for (const name of appServices) {
      const dependsOn = compose.services[name]?.depends_on as Record<string, { condition: string }>;
      expect(dependsOn.migrate?.condition, name).toBe('service_completed_successfully');
      expect(dependsOn['minio-init']?.condition, name).toBe('service_completed_successfully');
      for (const infra of ['postgres', 'redis', 'minio']) {
        expect(dependsOn[infra]?.condition, `${name} -> ${infra}`).toBe('service_healthy');
      }
    }
    const migrate = compose.services.migrate?.depends_on as Record<string, { condition: string }>;
    expect(migrate.postgres?.condition).toBe('service_healthy');
  });

  it('lets the worker scale (--scale worker=4): no container_name, no host ports', () => {
    const worker = compose.services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.container_name, `${name} has a fixed container_name`).toBeUndefined();
    }
  });

  it('gives every long-running service a healthcheck', () => {
    for (const name of ['postgres', 'redis', 'minio', 'api', 'worker']) {
      expect(compose.services[name]?.healthcheck?.test, name).toBeDefined();
    }
    expect(compose.services.api?.healthcheck?.test).toContain(
      "fetch('http://127.0.0.1:9191/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
    );
    expect(JSON.stringify(compose.services.worker?.healthcheck?.test)).toContain(':9393/healthz');
  });

  it('keeps data in named volumes', () => {
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['minio-data', 'postgres-data', 'redis-data']);
    // docker-compose v1 prints the short syntax: `volume:/path:rw`.
    const mounts = { postgres: 'postgres-data', redis: 'redis-data', minio: 'minio-data' };
    for (const [service, volume] of Object.entries(mounts)) {
      expect(compose.services[service]?.volumes?.map(String), service).toEqual([
        expect.stringMatching(new RegExp(`^${volume}:/`)),
      ]);
    }
  });

  it('gives the worker longer to stop than its own shutdown timeout', () => {
    for (const name of appServices) {
      const service = compose.services[name]!;
      const shutdownMs = Number(service.environment?.SHUTDOWN_TIMEOUT_MS);
      expect(durationSeconds(service.stop_grace_period ?? '10s'), name).toBeGreaterThan(shutdownMs / 1000);
    }
  });

  it('publishes host ports on loopback only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
