import { objectStoreRequestCounts } from '@cloud-images/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FailureCode } from './failure-code.js';

export type JobOutcome = 'success' | 'failure' | 'retry' | 'handed_back' | 'skipped';
export type TaskKind = 'import' | 'export';

/** Image streams run from seconds to an hour; queue waits from milliseconds (idle) to hours (backlog). */
const TASK_SECONDS_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 180, 600, 1800, 3600];
const QUEUE_WAIT_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/**
 * The worker's Prometheus metrics, on their own registry so tests can build several workers. Every name starts
 * with `cloud_images_worker_`; labels are bounded (queue, type, outcome, a fixed failure-code set): never a task
 * id or a tenant.
 */
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
    buckets: TASK_SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly taskDuration = new Histogram({
    name: 'cloud_images_worker_task_duration_seconds',
    help: 'Wall-clock time of one task attempt, by task type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: TASK_SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'cloud_images_worker_streamed_bytes_total',
    help: 'Image bytes streamed by imports and exports, by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly processedBytes = new Counter({
    name: 'cloud_images_worker_processed_bytes_total',
    help: 'Image bytes processed (read from or written to object storage), by task type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'cloud_images_worker_task_failures_total',
    help: 'Tasks that ended in failure, by task type and Rackspace failure code (396, 111, ... or a fixed name)',
    labelNames: ['type', 'code'] as const,
    registers: [this.registry],
  });
  /** Read from the process-wide counts at each scrape; what a task costs the object store in round trips. */
  readonly s3Requests = new Counter({
    name: 'cloud_images_worker_s3_requests_total',
    help: 'S3 requests this process sent, by kind (HEAD object, GET range, PUT part, POST initiate-multipart, ...)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect() {
      this.reset();
      for (const [kind, count] of objectStoreRequestCounts()) this.inc({ kind }, count);
    },
  });
  private readonly queueWait = new Histogram({
    name: 'cloud_images_worker_queue_wait_seconds',
    help: 'Time from task creation to its first claim by a worker, by task type',
    labelNames: ['type'] as const,
    buckets: QUEUE_WAIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'cloud_images_worker_active_tasks',
    help: 'Tasks this worker is running now, by task type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Prefixed so worker RSS is `cloud_images_worker_process_resident_memory_bytes`, apart from the API's.
    if (options.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'cloud_images_worker_' });
    for (const type of ['import', 'export'] as const) this.active.set({ type }, 0);
  }

  recordJob(
    queue: string,
    type: TaskKind,
    outcome: JobOutcome,
    seconds: number,
    streamedBytes: number,
  ): void {
    this.jobs.inc({ queue, outcome });
    this.duration.observe({ queue, outcome }, seconds);
    if (outcome !== 'skipped') this.taskDuration.observe({ type, outcome }, seconds);
    if (streamedBytes > 0) {
      this.bytes.inc({ queue }, streamedBytes);
      this.processedBytes.inc({ type }, streamedBytes);
    }
  }

  recordFailure(type: TaskKind, code: FailureCode): void {
    this.failures.inc({ type, code });
  }

  recordQueueWait(type: TaskKind, seconds: number): void {
    this.queueWait.observe({ type }, Math.max(0, seconds));
  }

  /** Counts a running task; call the returned function once it ends. */
  taskStarted(type: TaskKind): () => void {
    this.active.inc({ type });
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active.dec({ type });
    };
  }
}
