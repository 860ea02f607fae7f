/**
 * The one error type a use case throws to end a task in `failure` with a client-visible message.
 * Anything else thrown from a use case is treated as transient and retried by the queue.
 */
export class TaskFailedError extends Error {
  override name = 'TaskFailedError';

  constructor(
    /** Shown to the client as the task's `message` (the exact documented text). */
    readonly clientMessage: string,
    /** For operators only (logs and tasks.last_error); may name internals. */
    readonly detail: string = clientMessage,
  ) {
    super(clientMessage);
  }
}

export function isTaskFailedError(error: unknown): error is TaskFailedError {
  return error instanceof TaskFailedError;
}

/** Raised when shutdown aborts a running stream: the job goes back to the queue, the task stays processing. */
export class JobHandedBackError extends Error {
  override name = 'JobHandedBackError';

  constructor() {
    super('the worker is shutting down; the job was handed back to the queue');
  }
}

/** Throws JobHandedBackError if the signal has fired; use cases call it between steps. */
export function throwIfShuttingDown(signal: AbortSignal): void {
  if (signal.aborted) throw new JobHandedBackError();
}

/** A short, single-line description of any thrown value, for logs and tasks.last_error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code ? ` (${String(code)})` : ''}: ${error.message}`;
  }
  return String(error);
}
