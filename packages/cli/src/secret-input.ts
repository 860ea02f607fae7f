import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { CliError } from './errors.js';

/**
 * Reads a secret from PATH, or from stdin for `-`, trimming the trailing newline. Secrets are never accepted on
 * argv, where `ps` and shell history would show them.
 */
export async function readSecret(
  source: string,
  what: string,
  stdin: NodeJS.ReadableStream,
): Promise<string> {
  let value: string;
  try {
    value = source === '-' ? await text(stdin) : await readFile(source, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} from ${source}: ${(error as Error).message}`);
  }
  const secret = value.replace(/\r?\n$/, '');
  if (!secret) throw new CliError(`the ${what} in ${source} is empty`);
  return secret;
}
