import { describe, expect, it } from 'vitest';
import { parseInvocation } from './arguments.js';
import { UsageError } from './errors.js';

describe('parseInvocation', () => {
  it('answers --help for the tool and for each command', () => {
    expect(parseInvocation([])).toEqual({ kind: 'help', command: '' });
    expect(parseInvocation(['--help'])).toEqual({ kind: 'help', command: '' });
    expect(parseInvocation(['import', '--help'])).toEqual({ kind: 'help', command: 'import' });
    expect(parseInvocation(['help', 'export'])).toEqual({ kind: 'help', command: 'export' });
  });

  it('parses a command, its operand and flags', () => {
    expect(parseInvocation(['import', 'disk.vhd', '--name', 'web', '--json'])).toMatchObject({
      kind: 'command',
      command: 'import',
      operands: ['disk.vhd'],
      flags: { name: 'web', json: true },
    });
  });

  it('refuses unknown flags and commands, wrong operand counts, and secrets on argv', () => {
    for (const argv of [
      ['import', 'a.vhd', '--bogus'],
      ['nope'],
      ['import'],
      ['images', 'extra'],
      ['images', '--token', 'secret'],
      ['import', 'a.vhd', '--name', 'x', '--s3-secret-key', 'secret'],
    ]) {
      expect(() => parseInvocation(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});
