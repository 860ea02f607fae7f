import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeLogMatch, type LogLine, type LogMatch, ServiceLog } from './service-log.js';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  /** For error messages and log file names, e.g. `worker-1`. */
  name: string;
  /** Default: this Node binary (`process.execPath`). */
  command?: string;
  /** e.g. `['services/api/dist/main.js']` or `['--import', 'tsx', 'src/main.ts']`. */
  args: string[];
  /** The service's environment. Only PATH and HOME are added from the runner unless `inheritEnv` is set. */
  env?: Record<string, string>;
  /** Start from the whole runner environment (vitest's included) instead of just PATH and HOME. */
  inheritEnv?: boolean;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Also append the output to this file (e.g. to keep the logs of a CI run). */
  logFile?: string;
}

/** Services still running in this process: SIGKILLed (their whole group) if it exits without stopping them. */
const running = new Set<ServiceProcess>();
process.on('exit', () => {
  for (const service of running) service.killGroup();
});

/**
 * One service as a child process, in its own process group, with its stdout and stderr captured in `log`.
 * Graceful signals go to the process itself (a wrapper like tini forwards them); SIGKILL goes to the whole group
 * so nothing the service started outlives it.
 */
export class ServiceProcess {
  readonly log = new ServiceLog();
  readonly exited: Promise<ExitStatus>;
  /** The log line that made it ready (set by `spawnService` when readiness waits for a line). */
  readyLine: LogLine | undefined;
  private status: ExitStatus | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    logFile: string | undefined,
  ) {
    if (logFile) mkdirSync(dirname(logFile), { recursive: true });
    const capture = (chunk: Buffer) => {
      const text = chunk.toString();
      this.log.append(text);
      if (logFile) appendFileSync(logFile, text);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    running.add(this);
    this.exited = new Promise((resolve) => {
      const finish = (status: ExitStatus) => {
        if (this.status) return;
        this.status = status;
        running.delete(this);
        this.log.flush();
        resolve(status);
      };
      child.once('error', (error) => {
        this.log.append(`\n[${name}] spawn error: ${error.message}\n`);
        finish({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => {
        // 'close' comes once the output pipes are drained, so `log` is complete when `exited` resolves; a
        // grandchild still holding a pipe must not block it for long.
        const drained = setTimeout(() => finish({ code, signal }), 1_000);
        child.once('close', () => {
          clearTimeout(drained);
          finish({ code, signal });
        });
      });
    });
  }

  static start(options: ServiceProcessOptions): ServiceProcess {
    const base = options.inheritEnv
      ? process.env
      : { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' };
    const child = spawn(options.command ?? process.execPath, options.args, {
      cwd: options.cwd,
      env: { ...base, ...options.env },
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(options.name, child, options.logFile);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** The `port` field of its ready line, e.g. of `{"msg":"api listening","port":41234}`. */
  get port(): number {
    const port = this.readyLine?.json?.['port'];
    if (typeof port !== 'number' || port <= 0) {
      throw new Error(`${this.name} logged no port when ready: ${this.readyLine?.text ?? '(no ready line)'}`);
    }
    return port;
  }

  /**
   * The ops listener's port (/healthz, /readyz, /metrics): the ready line's `opsPort` field (the API's), else
   * its `port` (the worker's health port is its only one).
   */
  get opsPort(): number {
    const port = this.readyLine?.json?.['opsPort'] ?? this.readyLine?.json?.['port'];
    if (typeof port !== 'number' || port <= 0) {
      throw new Error(
        `${this.name} logged no ops port when ready: ${this.readyLine?.text ?? '(no ready line)'}`,
      );
    }
    return port;
  }

  /** How it exited, once it has. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Resolves with the first line matching `match` (also one logged earlier); rejects on exit or timeout. */
  async waitForLog(match: LogMatch, timeoutMs = 30_000): Promise<LogLine> {
    const wait = this.log.waitFor(match);
    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      const fail = (why: string) =>
        reject(
          new Error(
            `${this.name} ${why} before logging ${describeLogMatch(match)}; output:\n${this.log.text}`,
          ),
        );
      timer = setTimeout(() => fail(`took over ${timeoutMs} ms`), timeoutMs);
      void this.exited.then((exit) => fail(`exited (${JSON.stringify(exit)})`));
    });
    try {
      return await Promise.race([wait.line, failure]);
    } finally {
      clearTimeout(timer);
      wait.cancel();
    }
  }

  /** Sends `signal` to the process without waiting (e.g. SIGTERM, then observe the draining service). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    if (signal === 'SIGKILL') this.killGroup();
    else this.child.kill(signal);
  }

  /** Sends `signal` (SIGKILL: a crash, no shutdown code runs) and resolves once the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus> {
    this.signal(signal);
    return this.exited;
  }

  /** SIGTERM (the services' graceful shutdown), then SIGKILL if still running after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<ExitStatus> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.killGroup(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterAll: SIGKILL unless it already exited, and wait, so no service outlives its test file. */
  async ensureStopped(): Promise<ExitStatus> {
    return this.kill('SIGKILL');
  }

  /** SIGKILL to the whole process group (synchronous: also used from the `exit` handler). */
  killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}
