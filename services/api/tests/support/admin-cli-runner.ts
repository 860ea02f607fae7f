import { fileURLToPath } from 'node:url';
import { type CommandRun, runCommand } from '@cloud-images/test-stack';

const cliPath = fileURLToPath(new URL('../../src/admin/cli.ts', import.meta.url));

export type AdminRun = CommandRun;

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
    runCommand(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env, ...options.env },
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
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
