#!/usr/bin/env node
import { runCli } from './run-cli.js';

// Wiring only. Ctrl-C aborts the running command (an upload aborts its multipart upload) instead of killing us.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
});
