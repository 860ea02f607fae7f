import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const common: Options = {
  'api-url': { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
const s3: Options = {
  's3-endpoint': { type: 'string' },
  's3-access-key': { type: 'string' },
  's3-secret-key-file': { type: 'string' },
  's3-region': { type: 'string' },
  'bucket-prefix': { type: 'string' },
};

/** Each command's flags and how many operands it takes. No flag ever carries a secret (see --*-file). */
const commands: Record<string, { options: Options; operands: string[] }> = {
  import: {
    options: { ...common, ...s3, name: { type: 'string' }, container: { type: 'string' } },
    operands: ['FILE'],
  },
  export: {
    options: { ...common, ...s3, container: { type: 'string' }, download: { type: 'string' } },
    operands: ['IMAGE'],
  },
  tasks: { options: { ...common, status: { type: 'string' } }, operands: [] },
  watch: { options: common, operands: ['TASK'] },
  images: { options: common, operands: [] },
  image: { options: common, operands: ['IMAGE'] },
  share: { options: common, operands: ['IMAGE', 'TENANT'] },
};

export type Flags = Record<string, string | boolean | undefined>;
export type Invocation =
  | { kind: 'help'; command: string }
  | { kind: 'command'; command: string; operands: string[]; flags: Flags };

/** Parses argv the way the other CLIs do (node:util parseArgs, strict): an unknown flag is a UsageError (exit 64). */
export function parseInvocation(argv: string[]): Invocation {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { kind: 'help', command: rest[0] && rest[0] in commands ? rest[0] : '' };
  }
  const spec = commands[command];
  if (!spec) throw new UsageError(`unknown command '${command}'`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: spec.options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  if (parsed.values['help']) return { kind: 'help', command };
  if (parsed.positionals.length !== spec.operands.length) {
    throw new UsageError(`${command} takes ${spec.operands.join(' ') || 'no operand'}`, command);
  }
  return { kind: 'command', command, operands: parsed.positionals, flags: parsed.values as Flags };
}
