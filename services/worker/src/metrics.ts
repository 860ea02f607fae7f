import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type JobOutcome = 'success' | 'failure' | 'retry' | 'handed_back' | 'skipped';

/** The worker's Prometheus metrics, on their own registry so tests can build several workers. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly jobs = new Counter({
    name: 'cloud_images_worker_jobs_total',
    help: 'Jobs processed, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'cloud_images_worker_job_duration_seconds',
    help: 'Wall-clock time of one job attempt, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 180, 600, 1800],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'cloud_images_worker_streamed_bytes_total',
    help: 'Image bytes streamed by imports and exports',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  recordJob(queue: string, outcome: JobOutcome, seconds: number, streamedBytes: number): void {
    this.jobs.inc({ queue, outcome });
    this.duration.observe({ queue, outcome }, seconds);
    if (streamedBytes > 0) this.bytes.inc({ queue }, streamedBytes);
  }
}
