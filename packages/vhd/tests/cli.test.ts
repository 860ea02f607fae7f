import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FixtureDir, qemuRawBytes } from '@cloud-images/vhd-fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_USAGE, runCli } from '../src/index.js';

const dir = new FixtureDir('vhd-test-');
afterAll(() => dir.remove());
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

async function runText(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function run(...argv: string[]) {
  const result = await runText(...argv);
  return { ...result, json: result.stdout ? JSON.parse(result.stdout) : undefined };
}

const image = await dir.make('cli.vhd', 'dynamic', '6M', [
  { offset: 5 * 1024 * 1024, length: 4096, pattern: 0x61 },
]);

describe('vhd CLI', () => {
  it('validate prints one JSON object and exits 0 for a valid image', async () => {
    const { code, json, stdout } = await run('validate', image);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(json).toMatchObject({
      ok: true,
      diskType: 'dynamic',
      virtualSize: 6 * 1024 * 1024,
      allocationMap: 'IA==',
    });
  });

  it('validate exits 1 with code, message and detail for an invalid image', async () => {
    const { code, json } = await run('validate', image, '--max-virtual', '4194304');
    expect(code).toBe(1);
    expect(json).toMatchObject({ ok: false, code: 413 });
    expect(json.message).toMatch(/^413: /);
    expect(typeof json.detail).toBe('string');
  });

  it('exits 2 for usage errors', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('validate')).code).toBe(2);
    expect((await run('validate', image, '--max-virtual', 'lots')).code).toBe(2);
    expect((await run('validate', image, '--bogus', '1')).code).toBe(2);
    expect((await run('convert', image, 'x', '--to', 'qcow2')).code).toBe(2);
  });

  it('names the unknown flag or bad argument, on stderr with the usage', async () => {
    for (const [argv, message] of [
      [['validate', image, '--bogus', '1'], "vhd: Unknown option '--bogus'"],
      [['info', image, '-x'], "vhd: Unknown option '-x'"],
      [['info', image, '--to', 'raw'], 'vhd: unknown option --to for info'],
      [['validate', image, '--max-virtual'], "vhd: Option '--max-virtual <value>' argument missing"],
      [['validate', image, '--max-virtual', 'lots'], 'vhd: --max-virtual must be a byte count, got lots'],
      [['convert', image, 'x'], 'vhd: --to must be raw, dynamic or fixed'],
      [['convert', image, 'x', '--to', 'raw', '--from', 'qcow2'], 'vhd: --from must be auto, vhd or raw'],
      [['frobnicate'], 'vhd: unknown command frobnicate'],
      [[], 'vhd: missing command'],
    ] as const) {
      const { code, stdout, stderr } = await run(...argv);
      expect(code, message).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(`${message}\n${CLI_USAGE}\n`);
    }
  });

  it('prints the usage on stdout and exits 0 for --help', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['validate', '--help'], ['convert', 'a', 'b', '-h']]) {
      expect(await runText(...argv)).toEqual({ code: 0, stdout: `${CLI_USAGE}\n`, stderr: '' });
    }
  });

  it('takes flags before or after the files, and in --flag=value form', async () => {
    expect((await run('validate', '--max-virtual=4194304', image)).code).toBe(1);
    expect((await run('--max-virtual', '4194304', 'validate', image)).code).toBe(1);
    expect((await run('validate', image, '--max-virtual=8388608')).code).toBe(0);
  });

  it('info reports the metadata', async () => {
    const { code, json } = await run('info', image);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      diskType: 'dynamic',
      blockSize: 2097152,
      maxTableEntries: 3,
      allocatedBlocks: 1,
    });
  });

  it('convert goes vhd → raw → fixed → dynamic with the content intact', async () => {
    const raw = dir.file('cli.raw');
    const fixed = dir.file('cli-fixed.vhd');
    const dynamic = dir.file('cli-dynamic.vhd');
    expect((await run('convert', image, raw, '--to', 'raw')).json).toMatchObject({ ok: true, from: 'vhd' });
    expect((await run('convert', raw, fixed, '--to', 'fixed')).json).toMatchObject({ ok: true, from: 'raw' });
    expect((await run('convert', fixed, dynamic, '--to', 'dynamic')).json).toMatchObject({
      ok: true,
      from: 'vhd',
    });
    const expected = await qemuRawBytes(image, dir.file('q.raw'));
    expect(readFileSync(raw).equals(expected)).toBe(true);
    expect((await qemuRawBytes(dynamic, dir.file('d.raw'))).equals(expected)).toBe(true);
    expect((await run('validate', dynamic)).code).toBe(0);
  });

  it('runs as a process with the documented exit codes', () => {
    const tsx = join(packageDir, '../../node_modules/.bin/tsx');
    const cli = join(packageDir, 'src/cli.ts');
    const ok = spawnSync(tsx, [cli, 'validate', image], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });
    const bad = spawnSync(tsx, [cli, 'validate', image, '--max-virtual', '1048576'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(spawnSync(tsx, [cli, 'frobnicate'], { encoding: 'utf8' }).status).toBe(2);
    const help = spawnSync(tsx, [cli, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(`${CLI_USAGE}\n`);
    const unknown = spawnSync(tsx, [cli, 'info', image, '--bogus'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
  });
});
