import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('../../src/admin/cli.ts', import.meta.url));

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** What one run adds to the runner's environment, and what it writes to the CLI's stdin (then closes it). */
export interface AdminRunOptions {
  env?: Record<string, string>;
  stdin?: string;
}

/**
 * Runs the real admin CLI process with exactly `env` (plus PATH), so a test sees what an operator would.
 * Never rejects: tests assert on the exit code. `adminWith` and `runWith` pass stdin (for `--s3-secret-key-file -`) or
 * extra env (TENANT_S3_SECRET_KEY) to one run, so no secret ever needs to be on argv.
 */
export function adminCliRunner(env: Record<string, string>) {
  const runWith = (options: AdminRunOptions, ...args: string[]): Promise<AdminRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      // A CLI that never reads stdin may exit first: EPIPE on it is not the test's concern.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
  const withJson = (result: AdminRun) => ({
    ...result,
    json: (result.stdout ? JSON.parse(result.stdout) : {}) as Record<string, unknown>,
  });
  const runAdmin = (...args: string[]) => runWith({}, ...args);
  const admin = async (...args: string[]) => withJson(await runWith({}, ...args));
  const adminWith = async (options: AdminRunOptions, ...args: string[]) =>
    withJson(await runWith(options, ...args));
  return { runAdmin, admin, adminWith, runWith };
}
