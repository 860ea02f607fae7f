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
  private rerun = false;
  private stopped = true;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private gapTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly minGapMs = 0,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    const wait = this.lastStartedAt + this.minGapMs - Date.now();
    if (wait > 0) {
      this.gapTimer ??= setTimeout(() => {
        this.gapTimer = undefined;
        this.kick();
      }, wait);
      return;
    }
    this.lastStartedAt = Date.now();
    this.running = this.run()
      .catch(() => {})
      .finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.kick();
        }
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
