import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** Every command-line program the repository ships, built. */
const CLIS = {
  'cloud-images': 'packages/cli/dist/cli.js',
  'cloud-images-admin': 'services/api/dist/admin/cli.js',
  'cloud-images-migrate': 'packages/shared/dist/db/migrate-cli.js',
  vhd: 'packages/vhd/dist/cli.js',
  'pnpm stack': 'packages/test-stack/dist/cli.js',
  'tools/demo': 'tools/demo/dist/demo.js',
  'tools/demo write-sample-disk': 'tools/demo/dist/write-sample-disk.js',
};

function run(path: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No configuration at all: --help must not need any (nor touch a database).
    const child = spawn(process.execPath, [repo(path), ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('every CLI answers --help on stdout with exit 0', () => {
  it.each(Object.entries(CLIS))('%s --help', async (_name, path) => {
    const result = await run(path, ['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/usage/i);
    expect(result.stdout.trimStart().startsWith('{')).toBe(false);
  });

  it('cloud-images-migrate refuses an unknown flag with exit 64 (and never migrates)', async () => {
    const result = await run(CLIS['cloud-images-migrate'], ['--bogus']);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/Unknown option '--bogus'/);
  });
});
