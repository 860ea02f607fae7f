#!/usr/bin/env node
/**
 * pnpm stack up [--write-env PATH]   start the stack in the foreground and write an env file
 * pnpm stack run -- CMD ARGS...      start the stack, run CMD with the stack's env, stop the stack
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { APP_DATABASE, formatEnvFile, stackEnv } from './env.js';
import { createDatabase } from './helpers.js';
import { type RunningStack, startStack } from './stack.js';

const USAGE = `usage:
  pnpm stack up [--write-env PATH]   start Postgres, Redis and S3; write PATH (default <repo>/.stack/env); Ctrl-C stops
  pnpm stack run -- CMD [ARGS...]   start the stack, run CMD with its env (CLOUD_IMAGES_STACK, DATABASE_URL, ...), stop it
env: TEST_STACK=native|containers forces the mode`;

function repoRoot(): string {
  // INIT_CWD is set by pnpm to where the command was run; walk up to the workspace root.
  let dir = resolve(process.env.INIT_CWD ?? process.cwd());
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

const log = (line: string) => console.error(line);

async function start(): Promise<{ stack: RunningStack; env: Record<string, string> }> {
  const stack = await startStack({ handleSignals: false, log });
  try {
    await createDatabase(stack.info, APP_DATABASE);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return { stack, env: stackEnv(stack.info) };
}

async function up(args: string[]): Promise<number> {
  let envFile = join(repoRoot(), '.stack', 'env');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // Not `--env-file`: Node 20 claims that flag even after the script name and exits with code 9.
    if (arg === '--write-env') {
      const value = args[++i];
      if (!value) throw new Error('--write-env needs a path');
      envFile = resolve(process.env.INIT_CWD ?? process.cwd(), value);
    } else if (arg?.startsWith('--write-env=')) {
      envFile = resolve(process.env.INIT_CWD ?? process.cwd(), arg.slice('--write-env='.length));
    } else {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  const { stack, env } = await start();
  mkdirSync(dirname(envFile), { recursive: true });
  writeFileSync(envFile, formatEnvFile(env), { mode: 0o600 });
  console.log(`[test-stack] env file: ${envFile}`);
  console.log(
    `[test-stack] ready (${stack.info.mode}): DATABASE_URL=${env.DATABASE_URL} REDIS_URL=${env.REDIS_URL} ` +
      `S3_ENDPOINT=${env.S3_ENDPOINT} — Ctrl-C to stop`,
  );
  // The service processes are unref'd: keep the event loop alive until a signal arrives.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, () => resolveSignal(s));
  });
  clearInterval(keepAlive);
  log(`[test-stack] ${signal}: stopping`);
  rmSync(envFile, { force: true });
  await stack.stop();
  log('[test-stack] stopped');
  return 0;
}

async function runCommand(args: string[]): Promise<number> {
  const command = args[0] === '--' ? args.slice(1) : args;
  const [cmd, ...cmdArgs] = command;
  if (!cmd) throw new Error(`run needs a command\n${USAGE}`);
  const { stack, env } = await start();
  let exitCode = 1;
  try {
    const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of signals) process.on(s, forward);
    exitCode = await new Promise<number>((resolveCode) => {
      child.once('error', (err) => {
        log(`[test-stack] cannot run ${cmd}: ${err.message}`);
        resolveCode(127);
      });
      child.once('exit', (code, signal) => {
        resolveCode(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1));
      });
    });
    for (const s of signals) process.off(s, forward);
  } finally {
    await stack.stop();
    log('[test-stack] stopped');
  }
  return exitCode;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up(rest);
    case 'run':
      return runCommand(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[test-stack] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
