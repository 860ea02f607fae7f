import { fileURLToPath } from 'node:url';
import { ServiceProcess, type ServiceProcessOptions } from './service-process.js';
import { loggedPortReadiness, type Readiness, waitUntilReady } from './service-readiness.js';

/** This repository's root (this file is packages/test-stack/{src,dist}/spawn-service.*). */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceName = 'api' | 'worker';

/**
 * What each service logs once it listens, and the field holding its ops port, where both answer GET /readyz
 * (the API's tenant port is `port`, its ops listener `opsPort`; the worker only has the health port).
 */
const readyLogs: Record<ServiceName, { msg: string; opsPortField: string }> = {
  api: { msg: 'api listening', opsPortField: 'opsPort' },
  worker: { msg: 'worker ready', opsPortField: 'port' },
};

export type SpawnServiceOptions = Omit<ServiceProcessOptions, 'name' | 'args'> & {
  name?: string;
  /** Default: none (resolves right after the spawn); for `service`, its logged ops port's /readyz answering 200. */
  ready?: Readiness;
  /** Default 30 s. */
  readyTimeoutMs?: number;
} & (
    | {
        /** `node services/<service>/dist/main.js`, run in services/<service>. */
        service: ServiceName;
        /** Run `src/main.ts` through tsx instead of the build (a service's own tests test its source). */
        source?: boolean;
      }
    | { service?: undefined; args: string[] }
  );

/**
 * Starts a service process and waits until it is ready. Its output is in `log`; stop it with `stop()` (SIGTERM,
 * SIGKILL after a timeout), `kill(signal)` or, in afterAll, `ensureStopped()`. If it does not get ready, it is
 * killed and the error carries its output.
 */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  const { ready, readyTimeoutMs = 30_000 } = options;
  const logged = options.service ? readyLogs[options.service] : undefined;
  const readiness =
    ready ?? (logged ? loggedPortReadiness(logged.msg, '/readyz', logged.opsPortField) : undefined);
  const started = ServiceProcess.start(processOptions(options));
  if (readiness === undefined) return started;
  try {
    await waitUntilReady(started, readiness, readyTimeoutMs);
  } catch (error) {
    await started.ensureStopped();
    throw error;
  }
  return started;
}

function processOptions(options: SpawnServiceOptions): ServiceProcessOptions {
  if (options.service === undefined) return { ...options, name: options.name ?? 'service' };
  const dir = `${repoRoot}services/${options.service}`;
  return {
    ...options,
    name: options.name ?? options.service,
    args: options.source ? ['--import', 'tsx', `${dir}/src/main.ts`] : [`${dir}/dist/main.js`],
    cwd: options.cwd ?? dir,
  };
}
