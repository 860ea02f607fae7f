import type { Cleanup, RegisterCleanup, RestartableService } from './native.js';
import type { StackInfo, StackMode } from './types.js';
import { errorMessage } from './util.js';

export interface StartStackOptions {
  /** Force a mode. Default: env `TEST_STACK`, else containers if a container runtime answers, else native. */
  mode?: StackMode;
  /** Number of tenant S3 accounts (default 4). */
  tenants?: number;
  /**
   * Kill the services on SIGINT/SIGTERM (default true). The CLI turns this off and handles signals itself.
   * Cleanup on process `exit` and on uncaught errors is always registered.
   */
  handleSignals?: boolean;
  /** Where to print the mode/versions/ready lines (default console.log). */
  log?: (line: string) => void;
}

export interface RunningStack {
  info: StackInfo;
  stop(): Promise<void>;
  /**
   * Restarts Postgres or the S3 endpoint in place (same port and data) and resolves once it answers again: for
   * chaos runs (bench/load). Native mode only; undefined in containers mode.
   */
  restart?: (service: RestartableService) => Promise<void>;
}

export interface ModeDecision {
  mode: StackMode;
  reason: string;
}

/** Probe used for detection; resolves when a container runtime (Docker/Podman) answers. */
export type RuntimeProbe = () => Promise<unknown>;

const defaultProbe: RuntimeProbe = async () => {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
};

/** Decides native vs containers. `TEST_STACK` forces a mode; otherwise a runtime probe decides. */
export async function detectMode({
  env = process.env,
  probe = defaultProbe,
  timeoutMs = 20_000,
}: {
  env?: NodeJS.ProcessEnv;
  probe?: RuntimeProbe;
  timeoutMs?: number;
} = {}): Promise<ModeDecision> {
  const forced = env.TEST_STACK?.trim();
  if (forced) {
    if (forced !== 'native' && forced !== 'containers') {
      throw new Error(`TEST_STACK must be "native" or "containers", got "${forced}"`);
    }
    return { mode: forced, reason: `forced by TEST_STACK=${forced}` };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { mode: 'containers', reason: 'container runtime found' };
  } catch (err) {
    return { mode: 'native', reason: `no container runtime (${errorMessage(err).split('\n')[0]})` };
  } finally {
    clearTimeout(timer);
  }
}

// ---- cleanup when the runner exits, is interrupted or crashes ----

const live = new Set<Cleanup>();
let handlersInstalled = false;
let signalHandlersInstalled = false;

const register: RegisterCleanup = (cleanup) => {
  live.add(cleanup);
  return () => {
    live.delete(cleanup);
  };
};

/** SIGKILLs every live backend; returns a promise that resolves once the processes are reaped (bounded). */
function killAllSync(): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const cleanup of live) {
    try {
      cleanup.killSync();
      waits.push(cleanup.waitExited());
    } catch {
      // keep going: other backends must still be killed
    }
  }
  live.clear();
  return Promise.all(waits).then(() => {});
}

function installHandlers(handleSignals: boolean): void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', () => void killAllSync());
    // The monitor variant observes uncaught errors (and unhandled rejections, which throw by default)
    // without changing Node's crash behaviour.
    process.on('uncaughtExceptionMonitor', () => void killAllSync());
  }
  if (handleSignals && !signalHandlersInstalled) {
    signalHandlersInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const handler = async () => {
        const alone = process.listenerCount(signal) === 1;
        // Reap the killed services before leaving, so none is left behind even as a zombie.
        await killAllSync();
        // If nobody else handles the signal, restore the default behaviour (terminate) and re-raise it.
        if (alone) {
          process.removeListener(signal, handler);
          process.kill(process.pid, signal);
        }
      };
      process.on(signal, handler);
    }
  }
}

/** Starts Postgres, Redis and S3 (native processes or testcontainers). */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const tenants = options.tenants ?? 4;
  if (tenants < 1) throw new Error('tenants must be >= 1');
  const decision: ModeDecision = options.mode
    ? { mode: options.mode, reason: 'requested by caller' }
    : await detectMode();
  log(`[test-stack] ${decision.mode}: ${decision.reason}`);
  installHandlers(options.handleSignals ?? true);

  const started = Date.now();
  const backend =
    decision.mode === 'native'
      ? await (await import('./native.js')).startNative(tenants, register)
      : await (await import('./containers.js')).startContainers(tenants, register);
  const { info } = backend;
  const versions = Object.values(info.versions).join(', ');
  log(`[test-stack] ${info.mode} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${versions}`);

  let stopping: Promise<void> | undefined;
  const { restart } = backend as { restart?: (service: RestartableService) => Promise<void> };
  return {
    info,
    stop() {
      stopping ??= backend.stop();
      return stopping;
    },
    ...(restart ? { restart } : {}),
  };
}
