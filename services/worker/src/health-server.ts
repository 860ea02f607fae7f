import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  port: number;
  /** Bind address; see HEALTH_HOST. */
  host?: string;
  /** Liveness: the process is up. Readiness: it can take work (Redis and Postgres reachable, workers running). */
  isReady: () => Promise<boolean>;
  registry: Registry;
}

/** /healthz, /readyz and /metrics for Kubernetes probes and Prometheus. */
export async function startHealthServer(
  options: HealthServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return reply(405, JSON.stringify({ message: 'Method not allowed', code: 405 }));
    if (path === '/healthz') return reply(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      options.isReady().then(
        (ready) => reply(ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not ready' })),
        () => reply(503, JSON.stringify({ status: 'not ready' })),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (error: Error) => reply(500, JSON.stringify({ message: error.message, code: 500 })),
      );
      return;
    }
    reply(404, JSON.stringify({ message: 'Not found', code: 404 }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
