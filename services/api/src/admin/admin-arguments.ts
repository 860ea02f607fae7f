import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type AdminCommandName,
  adminCommands,
  type CommandSpec,
  isAdminCommand,
} from './admin-command-specs.js';
import { refuseSecretsOnArgv } from './secret-input.js';

/** Bad invocation: exit 64 (EX_USAGE), with the usage of `usageFor` (a command, a resource, or '' for all). */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly usageFor = '',
  ) {
    super(message);
  }
}

export type AdminInvocation =
  | { kind: 'help'; topic: string }
  | {
      kind: 'command';
      name: AdminCommandName;
      /** Flags given with a non-empty value; every required one is present. */
      flags: Readonly<Record<string, string>>;
      operand?: string;
    };

const isFlag = (arg: string) => arg.startsWith('-');
const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';
const resources = new Set(Object.keys(adminCommands).map((name) => name.split(' ')[0]));
const allFlags = new Set(Object.values(adminCommands).flatMap((spec) => Object.keys(spec.flags)));

/** `<resource> <action> [flags] [operand]`, `help [command]`, or `--help`/`-h` anywhere. */
export function parseAdminArguments(argv: string[]): AdminInvocation {
  const [resource, action] = argv;
  if (resource === undefined) throw new UsageError('missing command');
  if (resource === 'help')
    return {
      kind: 'help',
      topic: argv
        .slice(1)
        .filter((a) => !isFlag(a))
        .join(' '),
    };
  if (isHelpFlag(resource)) return { kind: 'help', topic: '' };
  if (isFlag(resource)) {
    const name = resource.replace(/^-+/, '').split('=')[0] ?? '';
    throw new UsageError(
      allFlags.has(name) ? `option '${resource}' must follow a command` : `unknown option '${resource}'`,
    );
  }
  if (!resources.has(resource)) throw new UsageError(`unknown command '${resource}'`);
  if (action === undefined || isFlag(action)) {
    if (action !== undefined && isHelpFlag(action)) return { kind: 'help', topic: resource };
    throw new UsageError(`missing command after '${resource}'`, resource);
  }
  const name = `${resource} ${action}`;
  if (!isAdminCommand(name)) throw new UsageError(`unknown command '${name}'`, resource);
  return parseCommandArguments(name, argv.slice(2));
}

function parseCommandArguments(name: AdminCommandName, args: string[]): AdminInvocation {
  const spec: CommandSpec = adminCommands[name];
  refuseSecretsOnArgv(args, name);
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(
      Object.entries(spec.flags).map(([flag, { boolean }]) => [
        flag,
        { type: boolean ? ('boolean' as const) : ('string' as const) },
      ]),
    ),
  };
  // A lenient pass first: it reports every option token, so --help wins over other mistakes and an unknown
  // flag is named plainly (strict mode's message is about quoting positionals).
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
    return { kind: 'help', topic: name };
  }
  const unknown = tokens.find((token) => token.kind === 'option' && !Object.hasOwn(options, token.name));
  if (unknown?.kind === 'option')
    throw new UsageError(`unknown option '${unknown.rawName}' for '${name}'`, name);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    // Missing values, a value given to --help, ambiguous `--name --other`: all mistakes of the caller.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message, name);
    }
    throw error;
  }
  const flags: Record<string, string> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' && value !== '') flags[flag] = value;
    else if (value === true && flag !== 'help') flags[flag] = 'true';
  }
  for (const [flag, { required }] of Object.entries(spec.flags)) {
    if (required && flags[flag] === undefined) throw new UsageError(`--${flag} is required`, name);
  }
  const [operand, extra] = spec.operand ? parsed.positionals : [undefined, parsed.positionals[0]];
  if (spec.operand && !operand) throw new UsageError(`${name} needs ${spec.operand.value}`, name);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' for '${name}'`, name);
  return { kind: 'command', name, flags, ...(operand ? { operand } : {}) };
}
