import { parseArgs } from 'node:util';
import type { ConvertSource, ConvertTarget } from './convert.js';
import { DEFAULT_MAX_VIRTUAL_SIZE } from './errors.js';

export const CLI_USAGE = `usage:
  vhd validate FILE [--max-virtual BYTES]
  vhd info FILE
  vhd convert IN OUT --to raw|dynamic|fixed [--from auto|vhd|raw]
  vhd --help
exit: 0 valid/ok, 1 invalid image, 2 usage error`;

/** A bad command line: exit 2 with the message and the usage. */
export class UsageError extends Error {}

export type VhdCliCommand =
  | { command: 'help' }
  | { command: 'validate'; file: string; maxVirtualSize: number }
  | { command: 'info'; file: string }
  | { command: 'convert'; input: string; output: string; to: ConvertTarget; from: ConvertSource };

const options = {
  help: { type: 'boolean', short: 'h' },
  'max-virtual': { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
} as const;

/** Which options each command takes (any of them may come before or after the files). */
const allowedOptions: Record<string, readonly (keyof typeof options)[]> = {
  validate: ['max-virtual'],
  info: [],
  convert: ['to', 'from'],
};

/** Parses `vhd` arguments. Throws UsageError naming the offending argument. */
export function parseVhdArgs(argv: readonly string[]): VhdCliCommand {
  const { values, positionals } = parseStrict(argv);
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  const [command, ...files] = positionals;
  if (command === undefined) throw new UsageError('missing command');
  const allowed = allowedOptions[command];
  if (!allowed) throw new UsageError(`unknown command ${command}`);
  for (const name of Object.keys(values)) {
    if (!allowed.includes(name as keyof typeof options))
      throw new UsageError(`unknown option --${name} for ${command}`);
  }
  switch (command) {
    case 'validate':
      expectFiles(files, 1);
      return { command, file: files[0]!, maxVirtualSize: maxVirtualSize(values['max-virtual']) };
    case 'info':
      expectFiles(files, 1);
      return { command, file: files[0]! };
    default:
      expectFiles(files, 2);
      return {
        command: 'convert',
        input: files[0]!,
        output: files[1]!,
        to: oneOf(values.to, ['raw', 'dynamic', 'fixed'], '--to must be raw, dynamic or fixed'),
        from: oneOf(values.from ?? 'auto', ['auto', 'vhd', 'raw'], '--from must be auto, vhd or raw'),
      };
  }
}

function parseStrict(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs' first sentence names the argument, e.g. "Unknown option '--bogus'".
    throw new UsageError(error instanceof Error ? error.message.split('. ')[0]! : String(error));
  }
}

function expectFiles(files: string[], count: number): void {
  if (files.length !== count) throw new UsageError(`expected ${count} file argument(s), got ${files.length}`);
}

function maxVirtualSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_MAX_VIRTUAL_SIZE;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new UsageError(`--max-virtual must be a byte count, got ${raw}`);
  }
  return value;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], message: string): T {
  if (!allowed.includes(value as T)) throw new UsageError(message);
  return value as T;
}
