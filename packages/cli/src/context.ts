import { createObjectStoreFactory, defaultObjectStoreTimeouts, type ObjectStore } from '@cloud-images/shared';
import { ApiClient } from './api-client.js';
import type { Flags } from './arguments.js';
import { apiSettings, type CliEnv, type S3Settings, s3Settings } from './cli-config.js';
import { createProgress, type Progress } from './progress.js';

/** What a command runs with: its flags and operands, the streams, and lazy access to the API and S3. */
export interface CommandContext {
  operands: string[];
  flags: Flags;
  json: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
  api(): Promise<ApiClient>;
  s3(): Promise<{ store: ObjectStore; settings: S3Settings }>;
  progress(kind: 'bytes' | 'percent'): Progress;
  /** A status line for humans: stderr, so stdout carries only the result. Silent with --json. */
  say(line: string): void;
}

export function createContext(options: {
  operands: string[];
  flags: Flags;
  env: CliEnv;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
}): CommandContext {
  const { flags, env, stdin, stdout, stderr } = options;
  const json = flags['json'] === true;
  // Bars only on a terminal: never when stdout is piped or redirected, nor with --json.
  const bars = !json && Boolean(stdout.isTTY) && Boolean(stderr.isTTY);
  return {
    operands: options.operands,
    flags,
    json,
    stdout,
    stderr,
    signal: options.signal,
    async api() {
      const settings = await apiSettings(flags, env, stdin);
      return new ApiClient(settings.apiUrl, settings.token);
    },
    async s3() {
      const settings = await s3Settings(flags, env, stdin);
      const store = createObjectStoreFactory(defaultObjectStoreTimeouts)({
        endpoint: settings.endpoint,
        region: settings.region,
        accessKey: settings.accessKey,
        secretKey: settings.secretKey,
      });
      return { store, settings };
    },
    progress: (kind) => createProgress(stderr, kind, bars),
    say(line) {
      if (!json) stderr.write(`${line}\n`);
    },
  };
}
