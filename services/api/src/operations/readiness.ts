import { ServiceUnavailable } from '../http/errors.js';

export type DependencyCheck = () => Promise<void>;

/**
 * Readiness: ready while every dependency answers and no shutdown has begun. From SIGTERM on it reports
 * not ready, so the load balancer drains this replica while in-flight requests finish.
 */
export class Readiness {
  private shuttingDown = false;

  constructor(
    private readonly checks: Record<string, DependencyCheck>,
    private readonly timeoutMs = 2_000,
  ) {}

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves with each check's outcome; throws ServiceUnavailable naming what is wrong. */
  async assertReady(): Promise<Record<string, 'ok'>> {
    if (this.shuttingDown) throw new ServiceUnavailable('Not ready: the server is shutting down.');
    const names = Object.keys(this.checks);
    const outcomes = await Promise.all(
      names.map((name) =>
        this.withTimeout(this.checks[name]!()).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    const failed = names.filter((_, i) => outcomes[i] !== undefined);
    if (failed.length > 0) throw new ServiceUnavailable(`Not ready: ${failed.join(', ')} unreachable.`);
    return Object.fromEntries(names.map((n) => [n, 'ok' as const]));
  }

  private withTimeout(check: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('check timed out')), this.timeoutMs);
      check.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}
