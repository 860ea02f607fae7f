import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('../../src/admin/cli.ts', import.meta.url));

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real admin CLI process with exactly `env` (plus PATH), so a test sees what an operator would.
 * Never rejects: tests assert on the exit code.
 */
export function adminCliRunner(env: Record<string, string>) {
  const runAdmin = async (...args: string[]): Promise<AdminRun> => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cliPath, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as AdminRun;
      return { code, stdout, stderr };
    }
  };
  const admin = async (...args: string[]) => {
    const result = await runAdmin(...args);
    return { ...result, json: (result.stdout ? JSON.parse(result.stdout) : {}) as Record<string, unknown> };
  };
  return { runAdmin, admin };
}
