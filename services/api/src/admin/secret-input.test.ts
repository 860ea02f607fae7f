import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAdminArguments, UsageError } from './admin-arguments.js';
import { readSecret, refuseSecretsOnArgv } from './secret-input.js';

const dir = mkdtempSync(join(tmpdir(), 'secret-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('refuseSecretsOnArgv', () => {
  it('refuses --s3-secret-key in every spelling, naming the safe forms and never the value', () => {
    for (const args of [
      ['--s3-secret-key', 'TOPSECRET'],
      ['--s3-secret-key=TOPSECRET'],
      ['--name', 'x', '--s3-secret-key', 'TOPSECRET'],
    ]) {
      let error: unknown;
      try {
        refuseSecretsOnArgv(args, 'tenant create');
      } catch (caught) {
        error = caught;
      }
      expect(error, args.join(' ')).toBeInstanceOf(UsageError);
      const message = (error as Error).message;
      expect(message).toContain('--s3-secret-key-file PATH');
      expect(message).toContain('TENANT_S3_SECRET_KEY');
      expect(message).not.toContain('TOPSECRET');
    }
  });

  it('leaves --s3-secret-key-file, and a value after --, alone', () => {
    expect(() => refuseSecretsOnArgv(['--s3-secret-key-file', '-'], 'tenant create')).not.toThrow();
    expect(() => refuseSecretsOnArgv(['--', '--s3-secret-key'], 'tenant create')).not.toThrow();
  });

  it('is applied by the parser before anything else (exit 64)', () => {
    expect(() =>
      parseAdminArguments([
        'tenant',
        'create',
        '--name',
        'a',
        '--s3-access-key',
        'k',
        '--s3-secret-key',
        's',
      ]),
    ).toThrow(UsageError);
  });
});

describe('readSecret', () => {
  it('reads a file, dropping one trailing newline only', () => {
    const path = join(dir, 'secret');
    writeFileSync(path, ' s3cret \n\n');
    chmodSync(path, 0o600);
    expect(readSecret({ file: path })).toBe(' s3cret \n');
  });

  it('reads stdin for -, and prefers the file to the environment', () => {
    expect(readSecret({ file: '-', env: 'from-env', readStdin: () => 'from-stdin\r\n' })).toBe('from-stdin');
  });

  it('falls back to the environment, and is undefined without either', () => {
    expect(readSecret({ env: 'from-env' })).toBe('from-env');
    expect(readSecret({})).toBeUndefined();
  });

  it('refuses an empty or unreadable file', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => readSecret({ file: empty })).toThrow(/is empty/);
    expect(() => readSecret({ file: join(dir, 'missing') })).toThrow(/cannot read/);
  });
});

describe('switch flags', () => {
  it('parses --no-verify as a switch of tenant update', () => {
    expect(
      parseAdminArguments(['tenant', 'update', 't1', '--s3-endpoint', 'http://s3', '--no-verify']),
    ).toEqual({
      kind: 'command',
      name: 'tenant update',
      flags: { 's3-endpoint': 'http://s3', 'no-verify': 'true' },
      operand: 't1',
    });
  });
});
