import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** qemu-img and qemu-io, the reference implementation every fixture is made with. */
const run = promisify(execFile);

export type Subformat = 'fixed' | 'dynamic';

export interface QemuImageOptions {
  subformat: Subformat;
  /** A qemu size (`'8M'`, `'41G'`) or bytes. */
  size: string | number;
  /**
   * `force_size=on`: the virtual size is exactly `size`. Off (the qemu default) rounds it down to what the
   * CHS geometry can express.
   */
  forceSize?: boolean;
}

/** One `qemu-io -c 'write -P pattern offset length'`; offsets and lengths are bytes or qemu sizes (`'64k'`). */
export interface QemuWrite {
  pattern: number;
  offset: number | string;
  length: number | string;
}

export interface VhdSpec extends QemuImageOptions {
  /** Applied in order: writing a high offset first stores its block before a lower one in the file. */
  writes?: QemuWrite[];
}

/** `qemu-img info --output json`, the fields the tests read. */
export interface QemuImageInfo {
  'virtual-size': number;
  'actual-size'?: number;
  format: string;
  filename: string;
  [key: string]: unknown;
}

/** `qemu-img create -f vpc -o subformat=…[,force_size=on] path size`. */
export async function qemuCreate(path: string, { subformat, size, forceSize = false }: QemuImageOptions) {
  const options = `subformat=${subformat}${forceSize ? ',force_size=on' : ''}`;
  await run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', options, path, String(size)]);
  return path;
}

/** All writes in one qemu-io run, in the order given. */
export async function qemuWrite(path: string, writes: QemuWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const commands = writes.flatMap((w) => [
    '-c',
    `write -q -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`,
  ]);
  await run('qemu-io', ['-f', 'vpc', ...commands, path]);
}

/** A VHD made by qemu: create, then the writes. Returns `path`. */
export async function makeVhd(path: string, { writes = [], ...image }: VhdSpec): Promise<string> {
  await qemuCreate(path, image);
  await qemuWrite(path, writes);
  return path;
}

/** `qemu-img convert -f vpc -O raw`: the disk content. Returns `rawPath`. */
export async function qemuToRaw(vhdPath: string, rawPath: string): Promise<string> {
  await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', vhdPath, rawPath]);
  return rawPath;
}

/** The disk content as qemu reads it, via a raw file at `rawPath`. */
export async function qemuRawBytes(vhdPath: string, rawPath: string): Promise<Buffer> {
  return readFile(await qemuToRaw(vhdPath, rawPath));
}

export async function qemuInfo(vhdPath: string): Promise<QemuImageInfo> {
  const { stdout } = await run('qemu-img', ['info', '-f', 'vpc', '--output', 'json', vhdPath]);
  return JSON.parse(stdout) as QemuImageInfo;
}

export async function qemuVirtualSize(vhdPath: string): Promise<number> {
  return (await qemuInfo(vhdPath))['virtual-size'];
}
