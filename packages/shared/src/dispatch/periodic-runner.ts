/**
 * Runs one async job on a process timer and on demand, never twice at once in this process. A kick during a
 * run schedules exactly one more run. Runs start at least `minGapMs` apart, so a burst of kicks (a POST or a
 * finished job each kick the dispatcher) becomes one run per gap instead of back-to-back runs that each cost
 * a transaction. Timers live in the process, not in Redis, so nothing that recovery depends on vanishes with
 * Redis's data. `run` must not throw (it is the caller's to log and swallow).
 */
export class PeriodicRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** The gap a kick during the current run asked for (the smallest, if several did); undefined: none. */
  private rerunGapMs: number | undefined;
  private stopped = true;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private gapTimer: NodeJS.Timeout | undefined;
  private gapDueAt = 0;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly minGapMs = 0,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /**
   * Runs now, or once `minGapMs` (default: the runner's) has passed since the last run started. Kicks with
   * different gaps coalesce into one run at the earliest time any of them asked for.
   */
  kick(minGapMs = this.minGapMs): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerunGapMs = Math.min(this.rerunGapMs ?? minGapMs, minGapMs);
      return;
    }
    const now = Date.now();
    const dueAt = this.lastStartedAt + minGapMs;
    if (dueAt > now) {
      if (this.gapTimer && this.gapDueAt <= dueAt) return;
      clearTimeout(this.gapTimer);
      this.gapDueAt = dueAt;
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.kick(0);
      }, dueAt - now);
      return;
    }
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.lastStartedAt = now;
    this.running = this.run()
      .catch(() => {})
      .finally(() => {
        this.running = undefined;
        const rerunGapMs = this.rerunGapMs;
        this.rerunGapMs = undefined;
        if (rerunGapMs !== undefined) this.kick(rerunGapMs);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.kick();
      if (!this.stopped) this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }
}
