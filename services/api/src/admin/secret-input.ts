import { readFileSync } from 'node:fs';
import { UsageError } from './admin-arguments.js';

/**
 * Secrets never travel on argv (ps, shell history, audit logs of the process table): the admin CLI reads each
 * from a file, from stdin (`-`), or from an environment variable that --help names. These flags used to take
 * the secret itself and are refused with exit 64, naming the safe forms.
 */
export const SECRET_ENV = 'TENANT_S3_SECRET_KEY';

const REFUSED_SECRET_FLAGS: Record<string, string> = {
  's3-secret-key': `--s3-secret-key takes no value on the command line (it would show in ps and shell history): use --s3-secret-key-file PATH, --s3-secret-key-file - (stdin), or the ${SECRET_ENV} environment variable`,
};

/** Throws UsageError (exit 64) when argv carries a flag that would put a secret on the command line. */
export function refuseSecretsOnArgv(args: readonly string[], command: string): void {
  for (const arg of args) {
    if (arg === '--') return;
    const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
    const message = arg.startsWith('-') ? REFUSED_SECRET_FLAGS[name] : undefined;
    if (message) throw new UsageError(message, command);
  }
}

export interface SecretSources {
  /** `--s3-secret-key-file`: a path, or `-` for stdin. */
  file?: string | undefined;
  /** The value of TENANT_S3_SECRET_KEY, from the admin config. */
  env?: string | undefined;
  readStdin?: () => string;
}

/**
 * The secret from the file (or stdin), else from the environment; undefined when neither is given. One trailing
 * newline is dropped (what `echo` and editors add); any other whitespace is kept, since it may be the secret's.
 */
export function readSecret(sources: SecretSources): string | undefined {
  let value: string | undefined;
  if (sources.file !== undefined) {
    const where = sources.file === '-' ? 'stdin' : sources.file;
    try {
      value = sources.file === '-' ? (sources.readStdin ?? readStdin)() : readFileSync(sources.file, 'utf8');
    } catch (error) {
      throw new UsageError(`--s3-secret-key-file: cannot read ${where}: ${(error as Error).message}`);
    }
    value = value.replace(/\r?\n$/, '');
    if (value === '') throw new UsageError(`--s3-secret-key-file: ${where} is empty`);
  } else {
    value = sources.env;
  }
  return value === undefined || value === '' ? undefined : value;
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}
