import { get } from 'node:http';
import type { LogLine, LogMatch } from './service-log.js';
import type { ServiceProcess } from './service-process.js';
import { errorMessage, sleep } from './util.js';

/**
 * When a started service counts as ready:
 * - `{ url }`: GET answers 200;
 * - `{ log }`: it logged a matching line;
 * - `{ log, url }`: it logged the line, then GET on the URL built from that line answers 200 (for services on
 *   port 0 that log the port they got).
 */
export type Readiness = { url: string } | { log: LogMatch; url?: (line: LogLine) => string };

/**
 * Ready once it logs `{ msg }` with a `portField` field (default `port`) and GET http://127.0.0.1:<port><path>
 * answers 200. The API logs its ops listener as `opsPort`, where /readyz lives.
 */
export function loggedPortReadiness(msg: string, path = '/readyz', portField = 'port'): Readiness {
  return {
    log: { msg },
    url: (line) => {
      const port = line.json?.[portField];
      if (typeof port !== 'number' || port <= 0)
        throw new Error(`no ${portField} in ready line: ${line.text}`);
      return `http://127.0.0.1:${port}${path}`;
    },
  };
}

/** Waits until `service` is ready by `readiness`; fails fast, with its output, if it exits first. */
export async function waitUntilReady(
  service: ServiceProcess,
  readiness: Readiness,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  if ('log' in readiness) {
    service.readyLine = await service.waitForLog(readiness.log, timeoutMs);
    url = readiness.url?.(service.readyLine);
  } else {
    url = readiness.url;
  }
  if (url !== undefined) await waitForHttpOk(url, Math.max(deadline - Date.now(), 1_000), service);
}

/** Polls `url` until it answers 200; with `service`, fails as soon as that process exits. */
export async function waitForHttpOk(url: string, timeoutMs: number, service?: ServiceProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (service && !service.running) {
      throw new Error(
        `${service.name} exited (${JSON.stringify(service.exitStatus)}) while waiting for ${url}; ` +
          `output:\n${service.log.text}`,
      );
    }
    try {
      const status = await httpStatus(url);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (error) {
      last = errorMessage(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${url} not ready after ${timeoutMs} ms (${last}); output:\n${service?.log.text ?? ''}`,
      );
    }
    await sleep(100);
  }
}

/**
 * GET over a fresh connection that is closed afterwards (`agent: false`): a kept-alive probe socket would count
 * as an open connection of the service, e.g. when a test then watches it drain on SIGTERM.
 */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 3_000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error('timed out after 3 s')));
    request.once('error', reject);
  });
}
