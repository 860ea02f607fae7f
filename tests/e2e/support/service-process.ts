import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

type LogEntry = Record<string, unknown>;

interface LogWaiter {
  match: (entry: LogEntry) => boolean;
  resolve: (entry: LogEntry) => void;
}

/** Children still running in this vitest worker: SIGKILLed if the worker exits without an afterAll. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One real service process (`node services/<svc>/dist/main.js`). Its pino JSON lines are kept (the last 64 KiB,
 * for error messages) and can be waited on; with `E2E_LOG_DIR` set they are also written to `<dir>/<name>.log`.
 */
export class ServiceProcess {
  private output = '';
  private pending = '';
  private waiters: LogWaiter[] = [];
  private readonly logFile: WriteStream | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const logDir = process.env['E2E_LOG_DIR'];
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      this.logFile = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    }
    child.stdout?.on('data', (chunk: Buffer) => this.onOutput(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.onOutput(chunk.toString()));
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.logFile?.end();
        resolve({ code, signal });
      }),
    );
  }

  /** Starts `node <script>` with exactly PATH, HOME and `env` (nothing else leaks in from the test runner). */
  static start(name: string, script: string, env: Record<string, string>): ServiceProcess {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 64 KiB of stdout and stderr. */
  get log(): string {
    return this.output;
  }

  private onOutput(text: string): void {
    this.logFile?.write(text);
    this.output = (this.output + text).slice(-65_536);
    this.pending += text;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{') || this.waiters.length === 0) continue;
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        continue;
      }
      for (const waiter of this.waiters.filter((w) => w.match(entry))) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  }

  /** Resolves with the first JSON log line (from now on) whose `msg` is `msg`; rejects on exit or timeout. */
  waitForLog(msg: string, timeoutMs: number): Promise<LogEntry> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name} ${why} before logging "${msg}"; output:\n${this.output}`));
      };
      const timer = setTimeout(() => fail(`took over ${timeoutMs} ms`), timeoutMs);
      const waiter: LogWaiter = {
        match: (entry) => entry['msg'] === msg,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.push(waiter);
      this.exited.then(({ code, signal }) => {
        if (this.waiters.includes(waiter)) {
          clearTimeout(timer);
          fail(`exited (code ${code}, signal ${signal})`);
        }
      });
    });
  }

  /** Sends `signal` (e.g. SIGKILL, a crash: no shutdown code runs) and resolves once the process has exited. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM (the services' graceful shutdown), then SIGKILL if it is still running after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}

/** Polls `url` until it answers 200. */
export async function waitForHttpOk(url: string, timeoutMs: number, service?: ServiceProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (service && !service.running) {
      throw new Error(`${service.name} exited while waiting for ${url}; output:\n${service.log}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} not ready after ${timeoutMs} ms (${last}); output:\n${service?.log ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
