#!/usr/bin/env node
import { runCli } from './cli-main.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Not an image problem (I/O error, missing file): report it and exit like a usage error.
    process.stderr.write(`vhd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
