#!/usr/bin/env node
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { sampleDynamicVhd } from './sample-disk.js';

/** Writes the demo's sample VHD to a file, for the CLI part of the demo (`cloud-images import FILE`). */
const [path] = process.argv.slice(2);
if (path === '--help' || path === '-h') {
  process.stdout.write(
    "usage: write-sample-disk.js FILE   writes the demo's 64 MiB sample dynamic VHD to FILE\n",
  );
  process.exit(0);
}
if (!path) {
  process.stderr.write('usage: write-sample-disk.js FILE\n');
  process.exit(64);
}
const disk = sampleDynamicVhd();
await pipeline(disk.stream, createWriteStream(path));
process.stdout.write(
  `${path}: a ${disk.size}-byte dynamic VHD of a ${disk.virtualSize / 2 ** 20} MiB disk\n`,
);
