import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TaskApi } from './api-client.js';
import { LatencyHistogram } from './stats.js';

/**
 * Samples GET /v2/tasks/{id} one request at a time, about ten a second, while the load runs: the API latency a
 * client polling its task sees. Only 200s go into the histogram; anything else (a 5xx while Postgres restarts,
 * a refused connection) is counted as an error.
 */
export class ApiLatencySampler {
  readonly histogram = new LatencyHistogram();
  errors = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(pick: () => { api: TaskApi; id: string } | undefined, pauseMs = 100) {
    this.loop = (async () => {
      while (this.running) {
        const target = pick();
        if (target) {
          try {
            const { status, ms } = await target.api.timedGetTask(target.id);
            if (status === 200) this.histogram.record(ms);
            else this.errors += 1;
          } catch {
            this.errors += 1;
          }
        }
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export interface ResourcePeaks {
  redisUsedMemoryBytes: number;
  postgresConnections: number;
  workerPeakRssBytes: number | null;
}

/** VmHWM (peak resident set) of a process, in bytes; undefined once it is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Once a second: Redis used_memory (INFO memory), Postgres client connections (pg_stat_activity) and the workers'
 * VmHWM; keeps the peaks. A sample that fails (the service is restarting) is skipped.
 */
export class ResourceSampler {
  private readonly peaks: ResourcePeaks = {
    redisUsedMemoryBytes: 0,
    postgresConnections: 0,
    workerPeakRssBytes: null,
  };
  private readonly redis: Redis;
  private readonly pool: pg.Pool;
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    redisUrl: string,
    databaseUrl: string,
    private readonly workerPids: () => number[],
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => {});
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      application_name: 'bench-load-sampler',
    });
    this.pool.on('error', () => {});
    this.timer = setInterval(() => {
      this.sampling = this.sample();
    }, 1000);
  }

  private async sample(): Promise<void> {
    for (const pid of this.workerPids()) {
      const rss = peakRss(pid);
      if (rss !== undefined)
        this.peaks.workerPeakRssBytes = Math.max(this.peaks.workerPeakRssBytes ?? 0, rss);
    }
    await Promise.all([
      this.redis
        .info('memory')
        .then((info) => {
          const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
          this.peaks.redisUsedMemoryBytes = Math.max(this.peaks.redisUsedMemoryBytes, used);
        })
        .catch(() => {}),
      this.pool
        .query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend'`,
        )
        .then(({ rows }) => {
          this.peaks.postgresConnections = Math.max(this.peaks.postgresConnections, rows[0]!.n);
        })
        .catch(() => {}),
    ]);
  }

  async stop(): Promise<ResourcePeaks> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
    this.redis.disconnect();
    await this.pool.end().catch(() => {});
    return { ...this.peaks };
  }
}
