/** Bad invocation (unknown flag, missing operand): exit 64 (EX_USAGE), with the command's usage on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/**
 * A failure the user can act on, reported as ONE line on stderr with a non-zero exit: a bad token, an unknown
 * image, an unreachable API, an invalid VHD (`396: …`).
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Ctrl-C: the upload was aborted and cleaned up. Exit 130, as shells report SIGINT. */
export class Interrupted extends CliError {
  override name = 'Interrupted';
  constructor() {
    super('interrupted: the upload was aborted and no partial upload was left', 130);
  }
}
