import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Writes a raw disk where every other 2 MiB is random and the rest zeros (about half full). */
export function writeHalfFullRaw(path: string, size: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(2 * MiB);
  const zeros = Buffer.alloc(2 * MiB);
  try {
    for (let offset = 0, i = 0; offset < size; offset += chunk.length, i++) {
      if (i % 2 === 0) {
        randomFillSync(chunk);
        writeSync(fd, chunk);
      } else {
        writeSync(fd, zeros);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
}

export interface Measurement {
  seconds: number;
  /** Peak RSS minus RSS when the measured work started. */
  rssGrowthBytes: number;
  note?: string;
}

/** Runs `work` in this process and measures wall time and peak RSS growth. */
export async function measure(work: () => Promise<string | undefined>): Promise<Measurement> {
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const start = process.hrtime.bigint();
  const note = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
  return { seconds, rssGrowthBytes: peak - startRss, ...(note === undefined ? {} : { note }) };
}

/**
 * Runs this script again as `--child NAME ARGS…` so each measurement starts from a fresh heap and
 * its peak RSS is its own.
 */
export function measureInChild(script: string, name: string, args: string[]): Measurement {
  const result = spawnSync(process.execPath, [...process.execArgv, script, '--child', name, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`child ${name} exited ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Measurement;
}

export function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}
