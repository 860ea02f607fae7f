/**
 * Stand-in for `docker build` + `docker run`, which cannot run here (no Docker engine): runs the build steps
 * of services/{api,worker}/Dockerfile natively, then starts the pruned output the way the image would.
 *
 * - The RUN commands are read from the Dockerfile itself, not copied here, so they cannot drift apart.
 * - `COPY . .` is emulated with the repository minus .dockerignore; `/out` becomes a temporary directory.
 * - The runtime stage's `COPY --from=build /out/...` lines assemble the app directory; its ENTRYPOINT + CMD
 *   (tini -- node dist/main.js) start it against the test stack's real Postgres, Redis and S3, as an
 *   unprivileged user; its HEALTHCHECK command must pass; SIGTERM must make it exit cleanly.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { freePorts, s3ClientFor, spawnService, uniqueName } from '@cloud-images/test-stack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiConfigSchema } from '../../../services/api/src/config.js';
import { workerConfigSchema } from '../../../services/worker/src/config.js';
import { commandExists, repoPath, repoRoot, report, resolvedCompose, run } from './helpers.js';

// ---------- Dockerfile parsing ----------

interface Instruction {
  stage: string;
  op: string;
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) && current === '') continue;
    if (/^\s*#/.test(line)) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const instructions: Instruction[] = [];
  let stage = '';
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\w+)\s+(.*)$/s.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    instructions.push({ stage, op: op.toUpperCase(), args });
  }
  return instructions;
}

/** RUN arguments without BuildKit flags (`--mount=...`): the command the shell runs. */
const runCommand = (args: string) => args.replace(/^(--[\w-]+=\S+\s+)+/, '');

// ---------- .dockerignore ----------

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function dockerignore(): (rel: string) => boolean {
  const patterns = readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  expect(
    patterns.some((p) => p.startsWith('!')),
    'negated patterns are not emulated',
  ).toBe(false);
  const regexps = patterns.map((p) => globToRegExp(p.replace(/^\/+|\/+$/g, '')));
  return (rel) => regexps.some((r) => r.test(rel));
}

/** `COPY . .`: the build context (the repository minus .dockerignore) into `dest`. */
function copyContext(dest: string): void {
  const ignored = dockerignore();
  cpSync(repoRoot, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => {
      const rel = relative(repoRoot, src);
      return rel === '' || !ignored(rel);
    },
  });
}

// ---------- helpers ----------

async function waitForStatus(url: string, timeoutMs: number): Promise<number | string> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = response.status;
      if (response.ok) return last;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/** Like `USER node` in the image: an unprivileged uid when the tests run as root. */
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

// ---------- the test ----------

const stack = inject('stack');
const work = mkdtempSync(join(tmpdir(), 'cloud-images-image-'));
const context = join(work, 'repo');
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

beforeAll(() => {
  copyContext(context);
  // The unprivileged user must reach the app directories (the image makes /app world-readable too).
  chmodSync(work, 0o755);
});

const images = [
  { service: 'api', pkg: '@cloud-images/api', schema: apiConfigSchema, healthPortVar: 'OPS_PORT' },
  {
    service: 'worker',
    pkg: '@cloud-images/worker',
    schema: workerConfigSchema,
    healthPortVar: 'HEALTH_PORT',
  },
] as const;

describe.each(images)('$service image, built and run natively', ({ service, pkg, schema, healthPortVar }) => {
  const dockerfilePath = `services/${service}/Dockerfile`;
  const instructions = parseDockerfile(readFileSync(repoPath(dockerfilePath), 'utf8'));
  const out = join(work, `out-${service}`);
  const app = join(work, `app-${service}`);

  it('the base stage installs the pnpm version the repository pins (and that is the pnpm used here)', async () => {
    const pinned = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')).packageManager.split('@')[1];
    const install = instructions.find((i) => i.stage === 'base' && i.op === 'RUN')!;
    expect(install.args).toContain(`npm install -g pnpm@${pinned}`);
    const local = await run('pnpm', ['--version']);
    expect(local.stdout.trim()).toBe(pinned);
  });

  it('build stage: install, build and prune (pnpm deploy) succeed with the Dockerfile commands', async () => {
    const steps = instructions
      .filter((i) => i.stage === 'build' && i.op === 'RUN')
      .map((i) => runCommand(i.args));
    expect(steps.join('\n')).toMatch(/pnpm install --frozen-lockfile/);
    expect(steps.join('\n')).toContain(`pnpm turbo run build --filter=${pkg}...`);
    expect(steps.join('\n')).toContain(`pnpm deploy --filter=${pkg} --prod`);
    const log: string[] = [];
    for (const step of steps) {
      const command = step.replace(/(^|\s)\/out(\s|$)/g, `$1${out}$2`);
      const started = Date.now();
      const result = await run('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: context,
        env: { ...process.env, CI: 'true', TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
        timeoutMs: 600_000,
      });
      const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-4).join('\n');
      log.push(
        `$ ${command}\n  exit ${result.code} in ${((Date.now() - started) / 1000).toFixed(1)} s\n${tail}`,
      );
      expect(result.code, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
    report(`${dockerfilePath}: build stage, run natively`, log.join('\n'));
    // Each step may take up to its own 600 s on a loaded machine; the default test timeout (120 s) cut the
    // build short and left the later tests without an app directory.
  }, 900_000);

  it('runtime stage: the pruned app has only production dependencies, and the files the image copies', () => {
    const copies = instructions.filter((i) => i.stage === 'runtime' && i.op === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    mkdirSync(app, { recursive: true });
    for (const copy of copies) {
      const [, from, to] = /^--from=build\s+\/out\/(\S+)\s+(\S+)$/.exec(copy.args) ?? [];
      expect(from, `unexpected COPY ${copy.args}`).toBeDefined();
      expect(existsSync(join(out, from!)), `/out/${from} missing`).toBe(true);
      cpSync(join(out, from!), join(app, to!.replace(/^\.\//, '')), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    const modules = readdirSync(join(app, 'node_modules'));
    for (const devOnly of ['typescript', 'vitest', '@cloud-images/test-stack', 'testcontainers', 'turbo']) {
      expect(modules, devOnly).not.toContain(devOnly);
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    expect(existsSync(join(app, 'dist', 'main.js'))).toBe(true);
    // The migrations ship inside the image (used by the migrate one-shot / Job).
    expect(
      readdirSync(join(app, 'node_modules/@cloud-images/shared/drizzle')).some((f) => f.endsWith('.sql')),
    ).toBe(true);
  });

  it('starts with ENTRYPOINT + CMD, answers /healthz and the HEALTHCHECK, and exits cleanly on SIGTERM', async () => {
    const entrypoint = JSON.parse(
      instructions.find((i) => i.stage === 'runtime' && i.op === 'ENTRYPOINT')!.args,
    );
    const cmd = JSON.parse(instructions.find((i) => i.stage === 'runtime' && i.op === 'CMD')!.args);
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(cmd).toEqual(['node', 'dist/main.js']);
    expect(commandExists('tini') || existsSync('/usr/bin/tini'), 'tini (Debian package) is needed').toBe(
      true,
    );

    // A fresh database, migrated by the migrate command shipped in the image.
    const dbName = uniqueName(`deploy_${service}`).replace(/-/g, '_');
    const admin = new pg.Client({ connectionString: stack.postgres.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: stack.postgres.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    });
    const dbUrl = new URL(stack.postgres.adminUrl);
    dbUrl.pathname = `/${dbName}`;
    const migrate = await run('node', ['node_modules/@cloud-images/shared/dist/db/migrate-cli.js'], {
      cwd: app,
      env: { PATH: process.env.PATH, DATABASE_URL: dbUrl.toString(), LOG_LEVEL: 'info' },
      timeoutMs: 60_000,
      ...unprivileged,
    });
    report(`${service} image: migrate one-shot`, `exit ${migrate.code}\n${migrate.stdout}${migrate.stderr}`);
    expect(migrate.code, migrate.stderr).toBe(0);

    if (service === 'api') {
      // The compose demo-tenant one-shot, as docker-compose resolves it, against this database (twice: re-runnable).
      const demo = (await resolvedCompose()).services['demo-tenant']!;
      const argv = [...(demo.entrypoint as string[]), ...(demo.command as string[])].map((a) =>
        a.replaceAll('$$', '$').replaceAll('http://minio:9000', stack.s3.endpoint),
      );
      const demoEnv = {
        PATH: process.env.PATH,
        TINI_SUBREAPER: '1',
        ...demo.environment,
        DATABASE_URL: dbUrl.toString(),
      };
      const first = await run(argv[0]!, argv.slice(1), {
        cwd: app,
        env: demoEnv,
        timeoutMs: 60_000,
        ...unprivileged,
      });
      const second = await run(argv[0]!, argv.slice(1), {
        cwd: app,
        env: demoEnv,
        timeoutMs: 60_000,
        ...unprivileged,
      });
      report(
        'api image: compose demo-tenant one-shot (run twice)',
        `run 1: exit ${first.code}\n${first.stdout}${first.stderr}\nrun 2: exit ${second.code}\n${second.stderr}`,
      );
      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(first.stdout.slice(first.stdout.lastIndexOf('{\n')))).toMatchObject({
        tenant_id: '00000001',
        role: 'creator',
        token: expect.any(String),
      });
    }

    const bucket = uniqueName(`store-${service}`);
    await s3ClientFor(stack, stack.s3.service).makeBucket(bucket, stack.s3.region);
    const [port, healthPort, opsPort] = (await freePorts(3)) as [number, number, number];
    const candidate: Record<string, string> = {
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: stack.redis.url,
      QUEUE_PREFIX: uniqueName(`deploy-${service}`),
      S3_ENDPOINT: stack.s3.endpoint,
      S3_REGION: stack.s3.region,
      S3_ACCESS_KEY: stack.s3.service.accessKey,
      S3_SECRET_KEY: stack.s3.service.secretKey,
      IMAGE_STORE_BUCKET: bucket,
      TENANT_SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      OPS_PORT: String(opsPort),
      OPS_HOST: '127.0.0.1',
      HEALTH_HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    // Only what this service's schema knows, as in compose and k8s.
    const appEnv = Object.fromEntries(Object.entries(candidate).filter(([k]) => k in schema.shape));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...appEnv };
    // In the image tini is PID 1; here it is not, so let it register as subreaper instead of warning.
    const processEnv = { ...env, TINI_SUBREAPER: '1' };
    const listenPort = appEnv[healthPortVar]!;

    const [file, ...args] = [...entrypoint, ...cmd] as string[];
    // No readiness wait here: the health checks below are part of what is reported.
    const child = await spawnService({
      name: `${service}-image`,
      command: file!,
      args,
      cwd: app,
      env: processEnv,
      ...unprivileged,
    });
    cleanups.push(() => child.ensureStopped());

    const healthz = await waitForStatus(`http://127.0.0.1:${listenPort}/healthz`, 60_000);
    const readyz = await waitForStatus(`http://127.0.0.1:${listenPort}/readyz`, 30_000);
    const healthcheck = instructions.find((i) => i.stage === 'runtime' && i.op === 'HEALTHCHECK')!;
    const probe = JSON.parse(healthcheck.args.replace(/^.*?CMD\s+/, '')) as string[];
    const probeRun = await run(probe[0]!, probe.slice(1), {
      cwd: app,
      env,
      timeoutMs: 10_000,
      ...unprivileged,
    });

    const stopStarted = Date.now();
    // To tini (PID 1 in the container), which forwards it to node; SIGKILL to the group after 30 s.
    const exit = await child.stop(30_000);
    const output = child.log.text;
    const stopMs = Date.now() - stopStarted;
    report(
      `${service} image: ${[...entrypoint, ...cmd].join(' ')}`,
      [
        `GET /healthz -> ${healthz}`,
        `GET /readyz -> ${readyz}`,
        `HEALTHCHECK ${probe.join(' ')} -> exit ${probeRun.code}`,
        `SIGTERM -> exit code ${exit.code}, signal ${exit.signal}, after ${stopMs} ms`,
        '--- process output (last lines) ---',
        output.trim().split('\n').slice(-8).join('\n'),
      ].join('\n'),
    );
    expect(healthz, output).toBe(200);
    expect(readyz, output).toBe(200);
    expect(probeRun.code, probeRun.stderr).toBe(0);
    expect(exit, output).toEqual({ code: 0, signal: null });
  });
});
