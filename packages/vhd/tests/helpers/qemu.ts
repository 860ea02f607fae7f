import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Test fixtures made with qemu-img/qemu-io in a temp dir that the caller removes. */
export class FixtureDir {
  readonly path = mkdtempSync(join(tmpdir(), 'vhd-test-'));

  file(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface QemuImageOptions {
  subformat: 'fixed' | 'dynamic';
  size: string;
  forceSize?: boolean;
}

export function qemuCreate(path: string, options: QemuImageOptions): string {
  const opts = `subformat=${options.subformat}${options.forceSize ? ',force_size=on' : ''}`;
  execFileSync('qemu-img', ['create', '-q', '-f', 'vpc', '-o', opts, path, options.size]);
  return path;
}

export interface QemuWrite {
  offset: number;
  length: number;
  pattern: number;
}

/** Writes in the given order, so a high offset first gives blocks stored out of virtual order. */
export function qemuWrite(path: string, writes: QemuWrite[]): void {
  const args = ['-f', 'vpc'];
  for (const w of writes) args.push('-c', `write -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`);
  execFileSync('qemu-io', [...args, path], { stdio: 'ignore' });
}

export function qemuToRaw(path: string, rawPath: string): Buffer {
  execFileSync('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', path, rawPath]);
  return readFileSync(rawPath);
}

export function qemuVirtualSize(path: string): number {
  const info = JSON.parse(
    execFileSync('qemu-img', ['info', '-f', 'vpc', '--output', 'json', path]).toString(),
  );
  return info['virtual-size'] as number;
}
