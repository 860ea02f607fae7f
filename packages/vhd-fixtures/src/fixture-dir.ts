import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeVhd, type QemuWrite, qemuToRaw, type Subformat } from './qemu.js';

/** A temporary folder of fixtures for one test file; the caller removes it (e.g. in `afterAll`). */
export class FixtureDir {
  readonly path: string;

  constructor(prefix = 'vhd-fixtures-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /**
   * A qemu-made VHD named `name` in this folder, of exactly `size` (force_size=on), with `writes` applied in
   * order. For qemu's CHS-rounded size, use `makeVhd(dir.file(name), { …, forceSize: false })`.
   */
  make(name: string, subformat: Subformat, size: string | number, writes: QemuWrite[] = []): Promise<string> {
    return makeVhd(this.file(name), { subformat, size, forceSize: true, writes });
  }

  /** The disk content of `vhdPath` as a raw file named `name` in this folder. */
  toRaw(vhdPath: string, name: string): Promise<string> {
    return qemuToRaw(vhdPath, this.file(name));
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
