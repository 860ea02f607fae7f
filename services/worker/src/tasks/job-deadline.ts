/** Raised into a job whose deadline passed: transient (the queue retries it), until the last attempt. */
export class JobDeadlineError extends Error {
  override name = 'JobDeadlineError';

  constructor(readonly deadlineMs: number) {
    super(`the job ran past its deadline of ${deadlineMs} ms`);
  }
}

/**
 * A per-job deadline that scales with the object: base + bytes / minimum rate, so a 40 GiB import gets its
 * minutes while a hung endpoint frees the slot quickly. It starts at `baseMs` (size unknown) and is re-armed,
 * from the job's start, whenever a larger size becomes known. Its signal aborts the job's streams.
 */
export class JobDeadline {
  private readonly controller = new AbortController();
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private largestBytes = 0;
  deadlineMs: number;

  constructor(
    private readonly baseMs: number,
    private readonly minBytesPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.deadlineMs = baseMs;
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The deadline for an object of `bytes`: pure, for docs and tests. */
  static forSize(baseMs: number, minBytesPerSecond: number, bytes: number): number {
    return baseMs + Math.ceil((bytes / minBytesPerSecond) * 1000);
  }

  sizeKnown(bytes: number): void {
    if (bytes <= this.largestBytes || this.expired) return;
    this.largestBytes = bytes;
    this.deadlineMs = JobDeadline.forSize(this.baseMs, this.minBytesPerSecond, bytes);
    this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    const left = Math.max(0, this.startedAt + this.deadlineMs - this.now());
    this.timer = setTimeout(() => this.controller.abort(new JobDeadlineError(this.deadlineMs)), left);
    this.timer.unref();
  }
}
