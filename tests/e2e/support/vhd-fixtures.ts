import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { vhdChecksum } from '@cloud-images/vhd';

const run = promisify(execFile);
const FOOTER = 512;

/** Footer field offsets (vhd-format.md). */
export const FooterField = {
  cookie: 0,
  features: 8,
  currentSize: 48,
  diskType: 60,
  checksum: 64,
  uniqueId: 68,
} as const;

export interface QemuWrite {
  pattern: number;
  offset: string;
  length: string;
}

/** A temporary folder of VHD files for one test file, made with qemu-img/qemu-io (the reference implementation). */
export class VhdFixtures {
  private constructor(readonly dir: string) {}

  static async create(): Promise<VhdFixtures> {
    return new VhdFixtures(await mkdtemp(join(tmpdir(), 'e2e-vhd-')));
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** `qemu-img create -f vpc -o subformat=…,force_size=on`, then one `qemu-io write -P` per write. */
  async make(name: string, subformat: 'fixed' | 'dynamic', size: string, writes: QemuWrite[] = []) {
    const path = this.path(name);
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
    if (writes.length > 0) {
      const commands = writes.flatMap((w) => [
        '-c',
        `write -q -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`,
      ]);
      await run('qemu-io', ['-f', 'vpc', ...commands, path]);
    }
    return path;
  }

  /** A byte copy of a VHD whose footer (and, with `bothCopies`, the copy at offset 0) is edited and re-checksummed. */
  async patchFooter(source: string, name: string, edit: (footer: Buffer) => void, bothCopies = false) {
    const bytes = await readFile(source);
    const footers = [bytes.subarray(bytes.length - FOOTER)];
    if (bothCopies) footers.push(bytes.subarray(0, FOOTER));
    for (const footer of footers) {
      edit(footer);
      footer.writeUInt32BE(vhdChecksum(footer, FooterField.checksum), FooterField.checksum);
    }
    const path = this.path(name);
    await writeFile(path, bytes);
    return path;
  }

  /** The disk content as raw bytes, converted by qemu-img. */
  async toRaw(vhdPath: string, name: string): Promise<string> {
    const path = this.path(name);
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', vhdPath, path]);
    return path;
  }

  /** `qemu-img info` of a VHD. */
  async info(vhdPath: string): Promise<{ 'virtual-size': number; format: string }> {
    const { stdout } = await run('qemu-img', ['info', '-f', 'vpc', '--output=json', vhdPath]);
    return JSON.parse(stdout) as { 'virtual-size': number; format: string };
  }
}

/** Hex digest of a file, streamed. */
export async function fileHash(path: string, algorithm: 'md5' | 'sha512' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
