/**
 * Benchmark: validation + checksums (MD5 and SHA-512) of 1 GiB fixed and dynamic VHDs read from
 * a local file, against a baseline that reads the same file and computes the same hashes with
 * node:crypto alone, on one thread. Each measurement runs in a fresh child process; rounds of
 * (baseline, ours with inline SHA-512, ours with SHA-512 on the hash pool) repeat BENCH_PAIRS
 * times (default 3) and the median and spread of the per-round ratios are reported.
 * Usage: pnpm --filter @cloud-images/bench bench:vhd-validate
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateVhdFile } from '@cloud-images/vhd';
import {
  formatTable,
  GiB,
  type Measurement,
  MiB,
  mbPerSecond,
  measure,
  measureInChild,
  run,
  writeHalfFullRaw,
} from './bench-util.js';

const script = fileURLToPath(import.meta.url);

async function hashFileBaseline(path: string): Promise<string> {
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    md5.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
  }
  return `${md5.digest('hex').slice(0, 8)}`;
}

async function validateOurs(path: string, hashPool: 'pooled' | 'inline'): Promise<string> {
  const result = await validateVhdFile(path, hashPool === 'inline' ? { hashPool: null } : {});
  if (!result.ok) throw new Error(`bench image rejected: ${result.message} ${result.detail}`);
  return `${result.md5.slice(0, 8)} granules=${result.allocatedGranules}`;
}

const METHODS = {
  baseline: 'baseline: fs stream + node:crypto md5+sha512, one thread',
  inline: 'validateVhdFile, md5+sha512 on the main thread (before)',
  pooled: 'validateVhdFile, sha512 on the shared hash pool (after)',
} as const;
type Method = keyof typeof METHODS;

async function child(name: Method, path: string): Promise<void> {
  const work = name === 'baseline' ? () => hashFileBaseline(path) : () => validateOurs(path, name);
  const m = await measure(work);
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);

/**
 * Same-run pairs: each round runs the baseline and then each of ours, one child process each, so
 * load from other processes hits them alike; each ratio is against its own round's baseline.
 */
function interleavedRounds(path: string): Array<Record<Method, Measurement>> {
  const rounds: Array<Record<Method, Measurement>> = [];
  for (let i = 0; i < PAIRS; i++) {
    rounds.push({
      baseline: measureInChild(script, 'baseline', [path]),
      inline: measureInChild(script, 'inline', [path]),
      pooled: measureInChild(script, 'pooled', [path]),
    });
  }
  return rounds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vhd-bench-'));
  try {
    const raw = join(dir, 'disk.raw');
    writeHalfFullRaw(raw, GiB);
    const images = {
      fixed: join(dir, 'fixed.vhd'),
      dynamic: join(dir, 'dynamic.vhd'),
    };
    for (const [subformat, target] of Object.entries(images)) {
      run('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vpc',
        '-o',
        `subformat=${subformat},force_size=on`,
        raw,
        target,
      ]);
    }
    rmSync(raw);

    const rows = [
      ['image', 'method', 'median s', 'median MB/s', 'ratio median', 'ratio spread', 'peak RSS growth MiB'],
    ];
    for (const [kind, path] of Object.entries(images)) {
      const bytes = statSync(path).size;
      await hashFileBaseline(path); // warm the page cache so both sides read from memory
      const rounds = interleavedRounds(path);
      for (const method of Object.keys(METHODS) as Method[]) {
        const seconds = median(rounds.map((r) => r[method].seconds));
        const ratios = rounds.map((r) => r.baseline.seconds / r[method].seconds);
        const rss = Math.max(...rounds.map((r) => r[method].rssGrowthBytes));
        rows.push([
          kind,
          METHODS[method],
          seconds.toFixed(2),
          mbPerSecond(bytes, seconds).toFixed(0),
          median(ratios).toFixed(2),
          `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`,
          (rss / MiB).toFixed(1),
        ]);
      }
    }
    console.log(
      `vhd-validate: 1 GiB images, ~half random data, ${PAIRS} same-run rounds (baseline, inline, pooled), ` +
        `one child process per run, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(formatTable(rows));
    console.log(
      'ratio = baseline seconds / method seconds in the same round; targets: ratio >= 1.00, peak RSS growth < 64 MiB',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await child(process.argv[childIndex + 1]! as Method, process.argv[childIndex + 2]!);
else await main();
