import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { vhdChecksum } from '@cloud-images/vhd';

const run = promisify(execFile);
const FOOTER = 512;

/** A temporary folder of VHD files for one test file, made with qemu (the reference implementation). */
export class VhdFixtures {
  private constructor(readonly dir: string) {}

  static async create(): Promise<VhdFixtures> {
    return new VhdFixtures(await mkdtemp(join(tmpdir(), 'worker-vhd-')));
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** `qemu-img create -f vpc -o subformat=…` then `qemu-io -c 'write -P pattern offset length'` per write. */
  async make(
    name: string,
    subformat: 'fixed' | 'dynamic',
    size: string,
    writes: { pattern: number; offset: string; length: string }[] = [],
  ): Promise<string> {
    const path = join(this.dir, name);
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'vpc',
      '-o',
      `subformat=${subformat},force_size=on`,
      path,
      size,
    ]);
    for (const w of writes) {
      await run('qemu-io', [
        '-f',
        'vpc',
        '-c',
        `write -q -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`,
        path,
      ]);
    }
    return path;
  }

  /** The disk content as raw bytes, converted by qemu. */
  async toRaw(vhdPath: string, name: string): Promise<string> {
    const path = join(this.dir, name);
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', vhdPath, path]);
    return path;
  }

  /** A byte copy of a small VHD with its footer(s) changed by `mutate`; checksums are recomputed. */
  async patchFooter(source: string, name: string, mutate: (footer: Buffer) => void, bothCopies = false) {
    const bytes = await readFile(source);
    const tail = bytes.subarray(bytes.length - FOOTER);
    const footers = bothCopies ? [tail, bytes.subarray(0, FOOTER)] : [tail];
    for (const footer of footers) {
      mutate(footer);
      footer.writeUInt32BE(vhdChecksum(footer, 64), 64);
    }
    const path = join(this.dir, name);
    await writeFile(path, bytes);
    return path;
  }

  /** Overwrites `bytes` at `offset` in place (no checksum fix: for deliberately broken files). */
  async overwrite(path: string, offset: number, bytes: Buffer): Promise<void> {
    const handle = await open(path, 'r+');
    try {
      await handle.write(bytes, 0, bytes.length, offset);
    } finally {
      await handle.close();
    }
  }
}

/** Footer field offsets (vhd-format.md). */
export const FooterField = { cookie: 0, features: 8, currentSize: 48, diskType: 60, uniqueId: 68 } as const;
