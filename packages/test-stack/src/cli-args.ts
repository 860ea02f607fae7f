import { parseArgs } from 'node:util';

export const USAGE = `usage:
  pnpm stack up [--write-env PATH]    start Postgres, Redis and S3; write PATH (default <repo>/.stack/env); Ctrl-C stops
  pnpm stack run [--] CMD [ARGS...]   start the stack, run CMD with its env (CLOUD_IMAGES_STACK, DATABASE_URL, ...), stop it
  pnpm stack --help                   this text
env: TEST_STACK=native|containers forces the mode
exit: 64 for a usage error; run: CMD's exit code`;

/** Exit code for a usage error (EX_USAGE in sysexits.h). */
export const USAGE_EXIT_CODE = 64;

export class UsageError extends Error {}

export type CliCommand =
  | { kind: 'help' }
  /** `envFile` as given, relative to where the command was run; undefined: the default. */
  | { kind: 'up'; envFile: string | undefined }
  /** The command and its arguments exactly as given after CMD (or after `--`). */
  | { kind: 'run'; command: [string, ...string[]] };

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

/** Parses `stack` arguments (after the script name). Throws UsageError naming the offending argument. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      throw new UsageError('missing command');
    case '--help':
    case '-h':
    case 'help':
      return { kind: 'help' };
    case 'up': {
      const { values } = strictParse(rest, { ...helpOption, 'write-env': { type: 'string' } });
      return values.help ? { kind: 'help' } : { kind: 'up', envFile: values['write-env'] };
    }
    case 'run': {
      // Only the flags before CMD are ours: everything from CMD on (or after `--`) passes through untouched.
      const cmdStart = commandStart(rest);
      const { values } = strictParse(rest.slice(0, cmdStart), helpOption);
      if (values.help) return { kind: 'help' };
      const cmd = rest[cmdStart] === '--' ? rest.slice(cmdStart + 1) : rest.slice(cmdStart);
      const [program, ...programArgs] = cmd;
      if (program === undefined) throw new UsageError('run needs a command');
      return { kind: 'run', command: [program, ...programArgs] };
    }
    default:
      throw new UsageError(
        command.startsWith('-') ? `unknown option ${command}` : `unknown command ${command}`,
      );
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function strictParse<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    // parseArgs' messages name the argument, e.g. "Unknown option '--bogus'"; keep the first sentence.
    const message = error instanceof Error ? error.message.split('. ')[0]! : String(error);
    throw new UsageError(message);
  }
}

/** Index of CMD in `run`'s arguments: the first positional or `--` (parseArgs tokens, non-strict to find it). */
function commandStart(args: string[]): number {
  const { tokens } = parseArgs({
    args,
    options: helpOption,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  return first?.index ?? args.length;
}
