import { spawn } from 'node:child_process';

/** What a finished command printed and how it exited. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  /** The child's whole environment (nothing is inherited, so a test sees what an operator would). */
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed (for secrets read from `-`). */
  stdin?: string;
}

/**
 * Runs a command to its end and captures its output. Never rejects for a non-zero exit: callers assert on the code.
 * Shared by the tests that drive real CLIs (the admin CLI in the API's tests and in the e2e suite).
 */
export function runCommand(command: string, args: string[], options: RunCommandOptions): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
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
    // A command that never reads stdin may exit first: EPIPE on it is not the caller's concern.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}
