import { describe, expect, it } from 'vitest';
import { parseAdminArguments, UsageError } from './admin-arguments.js';

const usageError = (argv: string[]) => {
  try {
    parseAdminArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) return { message: error.message, usageFor: error.usageFor };
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseAdminArguments', () => {
  it('reads a command, its flags and its operand', () => {
    expect(parseAdminArguments(['token', 'create', '--tenant', 't1', '--role=admin'])).toEqual({
      kind: 'command',
      name: 'token create',
      flags: { tenant: 't1', role: 'admin' },
    });
    expect(parseAdminArguments(['token', 'revoke', 'abc'])).toEqual({
      kind: 'command',
      name: 'token revoke',
      flags: {},
      operand: 'abc',
    });
  });

  it('answers help for --help, -h and help, anywhere, scoped to the command given', () => {
    expect(parseAdminArguments(['--help'])).toEqual({ kind: 'help', topic: '' });
    expect(parseAdminArguments(['help', 'token', 'create'])).toEqual({ kind: 'help', topic: 'token create' });
    expect(parseAdminArguments(['tenant', '-h'])).toEqual({ kind: 'help', topic: 'tenant' });
    // Help wins over the other mistakes on the line.
    expect(parseAdminArguments(['tenant', 'create', '--bogus', '-h'])).toEqual({
      kind: 'help',
      topic: 'tenant create',
    });
  });

  it('names what is wrong, with the usage of the closest command', () => {
    expect(usageError([])).toEqual({ message: 'missing command', usageFor: '' });
    expect(usageError(['token'])).toEqual({ message: "missing command after 'token'", usageFor: 'token' });
    expect(usageError(['tenant', 'explode'])).toEqual({
      message: "unknown command 'tenant explode'",
      usageFor: 'tenant',
    });
    expect(usageError(['--name', 'x'])).toMatchObject({ message: "option '--name' must follow a command" });
    expect(usageError(['tenant', 'list', '-x'])).toEqual({
      message: "unknown option '-x' for 'tenant list'",
      usageFor: 'tenant list',
    });
    expect(usageError(['tenant', 'list', 'extra'])).toMatchObject({
      message: "unexpected argument 'extra' for 'tenant list'",
    });
    expect(usageError(['token', 'revoke'])).toMatchObject({
      message: 'token revoke needs TOKEN_ID|-',
    });
    expect(usageError(['token', 'create', '--tenant', '', '--role', 'admin'])).toMatchObject({
      message: '--tenant is required',
    });
    expect(usageError(['token', 'create', '--tenant'])).toMatchObject({
      message: expect.stringContaining("'--tenant <value>'"),
    });
  });
});
