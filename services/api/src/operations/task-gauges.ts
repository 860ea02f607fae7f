import { type Database, tasks } from '@cloud-images/shared';
import { sql } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';

const TASK_TYPES = ['import', 'export'] as const;

interface TaskTableSnapshot {
  type: string;
  pending: number;
  stuck: number;
}

/**
 * Deployment-wide gauges read from the task table at scrape time. They describe the whole database, not this
 * process, so ONE process per deployment exports them (EXPORT_TASK_GAUGES=true): were every replica to export
 * them, sum() would count the backlog N times.
 * - queue depth: pending task rows (the backlog, wherever dispatch keeps it), by type;
 * - the age of the least recently updated processing task: progress writes bump updated_at, so a large value
 *   means a task that stopped moving (a stuck or lost worker).
 */
export function registerTaskGauges(db: Database, registry: Registry): void {
  // One query per scrape: prom-client collects every metric at once, so both gauges share the read in flight.
  let inFlight: Promise<TaskTableSnapshot[]> | undefined;
  const snapshot = () => {
    inFlight ??= db
      .select({
        type: tasks.type,
        pending: sql<number>`count(*) filter (where ${tasks.status} = 'pending')::int`,
        stuck: sql<number>`coalesce(extract(epoch from now() - min(${tasks.updatedAt}) filter (where ${tasks.status} = 'processing')), 0)::float8`,
      })
      .from(tasks)
      .where(sql`${tasks.status} in ('pending', 'processing')`)
      .groupBy(tasks.type)
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const gauge = (name: string, help: string, pick: (row: TaskTableSnapshot | undefined) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['type'] as const,
      registers: [registry],
      async collect() {
        const rows = await snapshot();
        for (const type of TASK_TYPES) this.set({ type }, pick(rows.find((r) => r.type === type)));
      },
    });
  gauge(
    'cloud_images_queue_depth',
    'Pending tasks (created, not yet claimed by a worker), by type. Exported by one process per deployment.',
    (row) => row?.pending ?? 0,
  );
  gauge(
    'cloud_images_tasks_processing_oldest_update_age_seconds',
    'Seconds since the least recently updated processing task last changed (0 when none), by type.',
    (row) => row?.stuck ?? 0,
  );
}
