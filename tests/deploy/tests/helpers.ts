import { type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const repoPath = (...parts: string[]) => join(repoRoot, ...parts);

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output. Never rejects on a non-zero exit: assert on `code`. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs).unref()
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Prints a validation's output in the CI log, framed so it is easy to find. */
export function report(title: string, body: string): void {
  const text = body.trim() || '(no output)';
  console.log(`\n===== ${title} =====\n${text}\n===== end ${title} =====`);
}

export function commandExists(name: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .some((dir) => existsSync(join(dir, name)));
}

// ---------- Kubernetes ----------

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped until validated
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export const overlays = ['dev', 'prod', 'prod-keda'] as const;
export type Overlay = (typeof overlays)[number];

/** `kubectl kustomize DIR` (offline), parsed into objects. */
export async function kustomize(dir: string): Promise<{ objects: K8sObject[]; result: RunResult }> {
  const result = await run('kubectl', ['kustomize', repoPath(dir)], { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { objects, result };
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** A ConfigMap or Secret by its logical name (generated names carry a `-<hash>` suffix). */
export function findGenerated(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find(
    (o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)),
  );
}

// ---------- Compose ----------

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: unknown[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  volumes?: unknown[];
  profiles?: string[];
  stop_grace_period?: string;
  // biome-ignore lint/suspicious/noExplicitAny: compose files are untyped
  [key: string]: any;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Environment for `docker-compose config`: nothing from the caller's shell, so the file's defaults apply. */
export const cleanComposeEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
};

/** The compose file as docker-compose resolves it (anchors merged, `${VAR:-default}` interpolated). */
export async function resolvedCompose(): Promise<ComposeFile> {
  const result = await run('docker-compose', ['-f', repoPath('docker-compose.yml'), 'config'], {
    cwd: repoRoot,
    env: cleanComposeEnv,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  return parseYaml(result.stdout) as ComposeFile;
}

/** Parses a Go duration as compose writes it (`1m30s`, `150s`) into seconds. */
export function durationSeconds(value: string): number {
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms|us)/g)) {
    const factor = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 }[unit as 'h' | 'm' | 's' | 'ms' | 'us'];
    total += Number(n) * factor;
  }
  return total;
}
