import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, USAGE_EXIT_CODE } from '../src/cli-args.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The CLI as a process (src through tsx, so no build is needed), as `pnpm stack ...` runs it. */
function stack(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('stack CLI arguments', () => {
  it('parses up with and without --write-env', () => {
    expect(parseCliArgs(['up'])).toEqual({ kind: 'up', envFile: undefined });
    expect(parseCliArgs(['up', '--write-env', 'a/env'])).toEqual({ kind: 'up', envFile: 'a/env' });
    expect(parseCliArgs(['up', '--write-env=b'])).toEqual({ kind: 'up', envFile: 'b' });
  });

  it('gives run everything from CMD on, untouched, with or without --', () => {
    const command = ['turbo', 'run', 'test', '--concurrency=1', '--help', '--', '-x'];
    expect(parseCliArgs(['run', '--', ...command])).toEqual({ kind: 'run', command });
    expect(parseCliArgs(['run', ...command])).toEqual({ kind: 'run', command });
    expect(parseCliArgs(['run', '--', '--help'])).toEqual({ kind: 'run', command: ['--help'] });
  });

  it('answers --help anywhere before CMD', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['up', '--help'], ['run', '-h', '--', 'x']]) {
      expect(parseCliArgs(argv)).toEqual({ kind: 'help' });
    }
  });

  it('names the argument of a usage error', () => {
    expect(() => parseCliArgs([])).toThrow('missing command');
    expect(() => parseCliArgs(['down'])).toThrow('unknown command down');
    expect(() => parseCliArgs(['--verbose'])).toThrow('unknown option --verbose');
    expect(() => parseCliArgs(['up', '--bogus'])).toThrow("Unknown option '--bogus'");
    expect(() => parseCliArgs(['up', 'extra'])).toThrow("Unexpected argument 'extra'");
    expect(() => parseCliArgs(['up', '--write-env'])).toThrow(
      "Option '--write-env <value>' argument missing",
    );
    expect(() => parseCliArgs(['run', '--bogus', '--', 'node'])).toThrow("Unknown option '--bogus'");
    expect(() => parseCliArgs(['run'])).toThrow('run needs a command');
    expect(() => parseCliArgs(['run', '--'])).toThrow('run needs a command');
  });
});

describe('stack CLI process', () => {
  it('--help prints the usage on stdout and exits 0', () => {
    for (const args of [['--help'], ['up', '--help'], ['run', '--help']]) {
      const { code, stdout, stderr } = stack(...args);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^usage:\n {2}pnpm stack up .*\n {2}pnpm stack run /);
    }
  });

  it('exits 64 with a message naming the unknown flag, and the usage, on stderr', () => {
    for (const [args, named] of [
      [['up', '--bogus'], '--bogus'],
      [['run', '--frob', '--', 'true'], '--frob'],
      [['--verbose'], '--verbose'],
    ] as const) {
      const { code, stdout, stderr } = stack(...args);
      expect(code).toBe(USAGE_EXIT_CODE);
      expect(stdout).toBe('');
      expect(stderr).toContain(named);
      expect(stderr).toContain('usage:');
    }
  });

  it('run passes the command its flags untouched, with the stack env, and forwards its exit code', () => {
    // As the root `test` script does: pnpm stack run -- turbo run test --concurrency=1
    const print =
      'console.log(JSON.stringify({ argv: process.argv.slice(1), db: process.env.DATABASE_URL })); process.exit(3)';
    const { code, stdout, stderr } = stack(
      'run',
      '--',
      'node',
      '-e',
      print,
      '--',
      '--some-flag=1',
      '--help',
      '--',
      '-x',
    );
    expect(code, stderr).toBe(3);
    // stdout is the command's alone: the stack logs to stderr.
    expect(JSON.parse(stdout)).toEqual({
      argv: ['--some-flag=1', '--help', '--', '-x'],
      db: expect.stringMatching(/^postgres:\/\/.*\/cloud_images$/),
    });
    expect(stderr).toContain('[test-stack] stopped');
  });
});
