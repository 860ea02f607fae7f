#!/usr/bin/env node
/**
 * pnpm stack up [--write-env PATH]   start the stack in the foreground and write an env file
 * pnpm stack run -- CMD ARGS...      start the stack, run CMD with the stack's env, stop the stack
 * Arguments are parsed in cli-args.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type CliCommand, parseCliArgs, USAGE, USAGE_EXIT_CODE, UsageError } from './cli-args.js';
import { APP_DATABASE, formatEnvFile, stackEnv } from './env.js';
import { createDatabase } from './helpers.js';
import { type RunningStack, startStack } from './stack.js';

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

async function up(envFileArg: string | undefined): Promise<number> {
  // Not `--env-file`: Node 20 claims that flag even after the script name and exits with code 9.
  const envFile =
    envFileArg === undefined
      ? join(repoRoot(), '.stack', 'env')
      : resolve(process.env.INIT_CWD ?? process.cwd(), envFileArg);
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

async function runCommand([cmd, ...cmdArgs]: [string, ...string[]]): Promise<number> {
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
  let command: CliCommand;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`stack: ${error.message}\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  switch (command.kind) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'up':
      return up(command.envFile);
    case 'run':
      return runCommand(command.command);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[test-stack] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
