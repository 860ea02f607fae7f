import pg from 'pg';

export interface TaskRow {
  id: string;
  status: 'pending' | 'processing' | 'success' | 'failure';
  created_at: Date;
  started_at: Date | null;
  updated_at: Date;
  attempts: number;
  message: string | null;
  /** The operator detail of a failure (never shown to clients; the bench report is for operators). */
  last_error: string | null;
}

export interface TimelinePoint {
  /** Seconds since the phase started. */
  t: number;
  /** Tasks terminal so far. */
  done: number;
  /** MB (10^6 bytes) moved by the tasks that succeeded so far. */
  mb: number;
}

const TERMINAL = new Set(['success', 'failure']);

/**
 * Follows the phase's tasks in Postgres (the source of truth) every half second and keeps a per-second timeline
 * of tasks done and bytes moved. Query failures (Postgres restarting) are skipped: the next poll catches up.
 */
export class TaskWatcher {
  private readonly pool: pg.Pool;
  private readonly rows = new Map<string, TaskRow>();
  readonly timeline: TimelinePoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private readonly startedAt = Date.now();
  private lastPoint = -1;

  constructor(
    databaseUrl: string,
    /** Ids submitted so far (grows while submission runs). */
    private readonly ids: () => string[],
    /** Bytes a succeeded task moved. */
    private readonly bytesOf: (id: string) => number,
  ) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      application_name: 'bench-load-watcher',
    });
    this.pool.on('error', () => {});
    this.timer = setInterval(() => {
      this.polling = this.poll();
    }, 500);
  }

  /** Tasks terminal at the last successful poll. */
  get terminal(): number {
    let n = 0;
    for (const row of this.rows.values()) if (TERMINAL.has(row.status)) n += 1;
    return n;
  }

  snapshot(): TaskRow[] {
    return [...this.rows.values()];
  }

  async poll(): Promise<void> {
    const ids = this.ids();
    if (ids.length > 0) {
      try {
        const { rows } = await this.pool.query<TaskRow>(
          `select id, status, created_at, started_at, updated_at, attempts, message, last_error from tasks where id = any($1::uuid[])`,
          [ids],
        );
        for (const row of rows) this.rows.set(row.id, row);
      } catch {
        return;
      }
    }
    const t = Math.floor((Date.now() - this.startedAt) / 1000);
    if (t !== this.lastPoint) {
      this.lastPoint = t;
      let mb = 0;
      for (const row of this.rows.values()) if (row.status === 'success') mb += this.bytesOf(row.id) / 1e6;
      this.timeline.push({ t, done: this.terminal, mb: Math.round(mb * 10) / 10 });
    }
  }

  /** Resolves once every id in `ids()` is terminal, or after `timeoutMs` (false). */
  async waitAllTerminal(expected: () => number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.terminal >= expected()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll();
    await this.pool.end().catch(() => {});
  }
}
