import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Signal for a graceful stop, sent to the process group. Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
}

export interface Supervised {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process exits (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  stopSignal: NodeJS.Signals;
  /** What started it, so `respawn` can start it again the same way. */
  command: string;
  args: string[];
  options: SpawnOptions;
}

/**
 * Runs service processes, each in its own process group (detached), with output in a log file.
 * Every group is killed by `stop()` (graceful, then SIGKILL) or `killSync()` (for exit handlers).
 * A small watchdog process kills the groups and removes the directory if this process dies without cleanup
 * (e.g. SIGKILL), so services never outlive the runner.
 */
export class ProcessSupervisor {
  readonly procs: Supervised[] = [];
  private watchdog: ChildProcess | undefined;
  private readonly pgidFile: string;

  constructor(
    readonly dir: string,
    private readonly logDir: string,
  ) {
    this.pgidFile = join(dir, '.pgids');
  }

  startWatchdog(): void {
    const script = `
const fs = require('node:fs');
const [ppid, dir, pgidFile] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  if (alive(Number(ppid))) return;
  let pgids = [];
  try { pgids = fs.readFileSync(pgidFile, 'utf8').split('\\n').filter(Boolean).map(Number); } catch {}
  for (const g of pgids) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  setTimeout(() => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} process.exit(0); }, 300);
}, 500);
`;
    this.watchdog = spawn(process.execPath, ['-e', script, String(process.pid), this.dir, this.pgidFile], {
      detached: true,
      stdio: 'ignore',
    });
    this.watchdog.unref();
  }

  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): Supervised {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(command, args, {
      cwd: options.cwd ?? this.dir,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      });
      child.once('error', (err) => {
        done = true;
        appendFileSync(logFile, `\nspawn error: ${err.message}\n`);
        resolve({ code: null, signal: null });
      });
    });
    child.unref();
    if (child.pid !== undefined) appendFileSync(this.pgidFile, `${child.pid}\n`);
    const proc: Supervised = {
      name,
      child,
      logFile,
      exited,
      hasExited: () => done,
      stopSignal: options.stopSignal ?? 'SIGTERM',
      command,
      args,
      options,
    };
    this.procs.push(proc);
    return proc;
  }

  /**
   * Stops `proc` (its stop signal, SIGKILL after `graceMs`) and starts it again with the same command, arguments
   * and options: for chaos runs that restart one backend (Postgres, the S3 proxy) under load.
   */
  async respawn(proc: Supervised, graceMs = 10_000): Promise<Supervised> {
    if (!proc.hasExited()) {
      signalGroup(proc, proc.stopSignal);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([proc.exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      signalGroup(proc, 'SIGKILL');
      await proc.exited;
    }
    return this.spawn(proc.name, proc.command, proc.args, proc.options);
  }

  /** Last lines of a process's log, for error messages. */
  logTail(proc: Supervised, lines = 20): string {
    if (!existsSync(proc.logFile)) return '';
    return readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Graceful stop: stop signal to each group, wait up to `graceMs`, then SIGKILL every group. */
  async stop(graceMs = 3000): Promise<void> {
    for (const p of this.procs) {
      if (!p.hasExited()) signalGroup(p, p.stopSignal);
    }
    const all = Promise.all(this.procs.map((p) => p.exited));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    // Children of a leader (postgres backends, ...) may outlive it: always sweep the whole group.
    for (const p of this.procs) signalGroup(p, 'SIGKILL');
    await Promise.race([all, new Promise((r) => setTimeout(r, 1000))]);
    const watchdog = this.watchdog;
    if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) {
      // Wait for it so it is reaped here rather than left as a zombie.
      const gone = new Promise((r) => watchdog.once('exit', r));
      this.killWatchdog();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 1000))]);
    }
  }

  /** Resolves when every process (and the watchdog) has exited and been reaped, or after `ms`. */
  async waitExited(ms = 1000): Promise<void> {
    const waits: Promise<unknown>[] = this.procs.map((p) => p.exited);
    const watchdog = this.watchdog;
    if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) {
      waits.push(new Promise((r) => watchdog.once('exit', r)));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** Synchronous last-resort cleanup for `exit`/signal handlers. */
  killSync(): void {
    for (const p of this.procs) signalGroup(p, 'SIGKILL');
    this.killWatchdog();
  }

  private killWatchdog(): void {
    if (
      this.watchdog?.pid !== undefined &&
      this.watchdog.exitCode === null &&
      this.watchdog.signalCode === null
    ) {
      try {
        process.kill(this.watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function signalGroup(p: Supervised, signal: NodeJS.Signals): void {
  const pid = p.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Throws, with the log tail, when `proc` has exited: a readiness poll stops at once instead of timing out. */
export function exitedGuard(sup: ProcessSupervisor, proc: Supervised): () => void {
  return () => {
    if (proc.hasExited()) {
      throw new Error(`${proc.name} exited during startup:\n${sup.logTail(proc)}`);
    }
  };
}
