import { parseInvocation } from './arguments.js';
import { parseCliEnv } from './cli-config.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { imageCommand, imagesCommand, tasksCommand, watchCommand } from './commands/listings.js';
import { shareCommand } from './commands/share.js';
import { type CommandContext, createContext } from './context.js';
import { CliError, UsageError } from './errors.js';
import { usageFor } from './usage.js';

const commands: Record<string, (ctx: CommandContext) => Promise<void>> = {
  import: importCommand,
  export: exportCommand,
  tasks: tasksCommand,
  watch: watchCommand,
  images: imagesCommand,
  image: imageCommand,
  share: shareCommand,
};

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Fires on Ctrl-C. */
  signal: AbortSignal;
}

/** Runs one invocation; resolves with the exit status. Errors are one line on stderr. */
export async function runCli(io: CliIo): Promise<number> {
  try {
    const invocation = parseInvocation(io.argv);
    if (invocation.kind === 'help') {
      io.stdout.write(`${usageFor(invocation.command)}\n`);
      return 0;
    }
    const ctx = createContext({
      operands: invocation.operands,
      flags: invocation.flags,
      env: parseCliEnv(io.env),
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
    });
    await commands[invocation.command]!(ctx);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cloud-images: ${error.message}\n${usageFor(error.command)}\n`);
      return 64;
    }
    if (error instanceof CliError) {
      io.stderr.write(`cloud-images: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`cloud-images: unexpected error: ${(error as Error).message ?? String(error)}\n`);
    return 70;
  }
}
