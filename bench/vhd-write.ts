/**
 * Benchmark: our dynamic VHD writer against `qemu-img convert -f raw -O vpc` on the same 1 GiB
 * raw input (about half random data, half zeros), in the same run. Our writer is timed twice:
 * with the allocation map already known (the export path: the map comes from import), and
 * including the extra pass that computes the map from the raw file.
 * Usage: pnpm --filter @cloud-images/bench bench:vhd-write
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  computeAllocationMap,
  createDynamicVhdWriter,
  decodeAllocationMap,
  encodeAllocationMap,
  openFileBody,
} from '@cloud-images/vhd';
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

async function writeOurs(raw: string, out: string, mapBase64?: string): Promise<string> {
  const virtualSize = statSync(raw).size;
  const allocationMap = mapBase64
    ? decodeAllocationMap(mapBase64, virtualSize)
    : await computeAllocationMap(openFileBody(raw), virtualSize);
  await pipeline(
    openFileBody(raw),
    createDynamicVhdWriter({ virtualSize, allocationMap }),
    createWriteStream(out),
  );
  return `${(statSync(out).size / 1e6).toFixed(0)} MB out`;
}

async function child(name: string, args: string[]): Promise<void> {
  const [raw, out, map] = args as [string, string, string | undefined];
  const work =
    name === 'qemu'
      ? async () => {
          run('qemu-img', [
            'convert',
            '-f',
            'raw',
            '-O',
            'vpc',
            '-o',
            'subformat=dynamic,force_size=on',
            raw,
            out,
          ]);
          return `${(statSync(out).size / 1e6).toFixed(0)} MB out`;
        }
      : () => writeOurs(raw, out, map);
  process.stdout.write(`${JSON.stringify(await measure(work))}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vhd-bench-'));
  try {
    const raw = join(dir, 'disk.raw');
    writeHalfFullRaw(raw, GiB);
    const map = encodeAllocationMap(await computeAllocationMap(openFileBody(raw), GiB));
    const outs = { qemu: join(dir, 'qemu.vhd'), ours: join(dir, 'ours.vhd'), scan: join(dir, 'scan.vhd') };
    const once = (name: string, out: string, extra: string[] = []): Measurement => {
      const runs = [0, 1].map(() => {
        rmSync(out, { force: true });
        return measureInChild(script, name, [raw, out, ...extra]);
      });
      return runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    };
    const qemu = once('qemu', outs.qemu);
    const ours = once('ours', outs.ours, [map]);
    const scan = once('ours', outs.scan);
    run('qemu-img', ['compare', '-f', 'vpc', '-F', 'vpc', outs.qemu, outs.ours]);

    const base = mbPerSecond(GiB, qemu.seconds);
    const rows = [
      [
        'method',
        'seconds',
        'raw MB/s',
        'ratio vs qemu',
        'peak RSS growth MiB (node side; qemu-img is a subprocess, not counted)',
        'output',
      ],
    ];
    const row = (method: string, m: Measurement) => [
      method,
      m.seconds.toFixed(2),
      mbPerSecond(GiB, m.seconds).toFixed(0),
      (mbPerSecond(GiB, m.seconds) / base).toFixed(2),
      (m.rssGrowthBytes / MiB).toFixed(1),
      m.note ?? '',
    ];
    rows.push(row('qemu-img convert -f raw -O vpc (dynamic)', qemu));
    rows.push(row('createDynamicVhdWriter, map known', ours));
    rows.push(row('computeAllocationMap + createDynamicVhdWriter', scan));
    console.log(
      'vhd-write: 1 GiB raw, ~half random data, best of 2 runs each; outputs equal by qemu-img compare',
    );
    console.log(formatTable(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await child(process.argv[childIndex + 1]!, process.argv.slice(childIndex + 2));
else await main();
