import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '@cloud-images/shared';
import { type AuditCounts, type AuditedTask, auditPhase } from './audit.js';
import { type ChaosEvent, PhaseChaos } from './chaos.js';
import { fixtureKey, removeBucket, type SourceFixture } from './fixtures.js';
import type { ChaosKind, LoadOptions } from './options.js';
import { planTasks, seededRandom } from './plan.js';
import { ApiLatencySampler, type ResourcePeaks, ResourceSampler } from './samplers.js';
import { jainIndex, LatencyHistogram, type Percentiles, round } from './stats.js';
import type { LoadSystem } from './system.js';
import { type TaskRow, TaskWatcher, type TimelinePoint } from './task-watcher.js';

export interface TenantShare {
  tenant: string;
  /** Tasks of this tenant that ended within the contended window (until the first tenant ran out of work). */
  tasksInWindow: number;
  share: number;
}

export interface PhaseReport extends ResourcePeaks {
  workers: number | null;
  tasks: number;
  succeeded: number;
  failed: number;
  seconds: number;
  tasksPerSecond: number;
  mbPerSecond: number;
  taskMs: Percentiles;
  queueWaitMs: Percentiles;
  apiMs: Percentiles & { errors: number };
  tenantShare: TenantShare[];
  jain: number;
  timeline: TimelinePoint[];
  chaosEvents: ChaosEvent[];
  audit: AuditCounts;
  /** Failed tasks by message (and operator detail, last_error), most frequent first: failures are results too. */
  failures: { message: string; count: number }[];
}

interface Submitted extends AuditedTask {
  tenantIndex: number;
  bytes: number;
}

export interface PhaseContext {
  system: LoadSystem;
  options: LoadOptions;
  fixtures: Map<string, SourceFixture>;
  /** Per tenant and export size: the image an export copies out. */
  exportImages: Map<string, string>;
  imageStore: { objects: ObjectStore; bucket: string };
  infraEvents: ChaosKind[];
  phaseIndex: number;
  log: (line: string) => void;
}

/** One phase: submit the planned tasks, measure while they run, audit, then delete what the phase made. */
export async function runPhase(ctx: PhaseContext, workers: number | null): Promise<PhaseReport> {
  const { system, options, log } = ctx;
  if (workers !== null) await system.setWorkers!(workers);
  const random = seededRandom(options.seed + ctx.phaseIndex);
  const plan = planTasks(options.tasks, system.tenants.length, options.mix, random);
  const submitted: Submitted[] = [];
  const watcher = new TaskWatcher(
    system.databaseUrl,
    () => submitted.map((s) => s.id),
    (id) => submitted.find((s) => s.id === id)?.bytes ?? 0,
  );
  const api = new ApiLatencySampler(() => {
    const task = submitted[Math.floor(Math.random() * submitted.length)];
    return task && { api: system.tenants[task.tenantIndex]!.api, id: task.id };
  });
  const resources = new ResourceSampler(system.redisUrl, system.databaseUrl, () => system.workerPids());
  const chaos =
    system.chaos && options.chaos.length > 0
      ? new PhaseChaos({
          controls: system.chaos,
          workers: workers ?? 0,
          infra: ctx.infraEvents,
          killEveryMs: options.chaos.includes('worker-sigkill') ? options.killEverySeconds * 1000 : undefined,
          maxKills: options.maxKillsPerPhase,
          random,
          progress: () => ({ done: watcher.terminal, total: plan.length }),
          log,
        })
      : undefined;

  const started = Date.now();
  const label = workers === null ? 'external workers' : `${workers} worker${workers === 1 ? '' : 's'}`;
  log(`[load] phase ${ctx.phaseIndex + 1}: ${label}, ${plan.length} tasks`);
  const exportContainers: { tenantIndex: number; container: string }[] = [];
  let next = 0;
  const submitOne = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const task = plan[i]!;
      const tenant = system.tenants[task.tenantIndex]!;
      const key = `load-${randomUUID()}`;
      if (task.entry.kind === 'export') {
        const container = `exp-p${ctx.phaseIndex + 1}-${task.seq}`;
        const bucket = `${tenant.bucketPrefix}${container}`;
        await tenant.s3.makeBucket(bucket, tenant.region);
        exportContainers.push({ tenantIndex: task.tenantIndex, container });
        const imageId = ctx.exportImages.get(`${task.tenantIndex}/${task.entry.sizeBytes}`)!;
        const created = await tenant.api.createTask(
          'export',
          { image_uuid: imageId, receiving_swift_container: container },
          key,
        );
        const bytes = ctx.fixtures.get(fixtureKey('dynamic', task.entry.sizeBytes))!.fileBytes;
        submitted.push({
          id: created.id,
          type: 'export',
          tenantIndex: task.tenantIndex,
          bytes,
          exportTarget: { store: tenant.store, bucket },
        });
      } else {
        const fixture = ctx.fixtures.get(fixtureKey(task.entry.kind, task.entry.sizeBytes))!;
        const created = await tenant.api.createTask(
          'import',
          {
            import_from: fixture.importFrom,
            image_properties: { name: `load-p${ctx.phaseIndex + 1}-${task.seq}` },
          },
          key,
        );
        submitted.push({
          id: created.id,
          type: 'import',
          tenantIndex: task.tenantIndex,
          bytes: fixture.fileBytes,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, submitOne));
  const timeoutMs = options.phaseTimeoutSeconds * 1000 - (Date.now() - started);
  await watcher.waitAllTerminal(() => submitted.length, timeoutMs);
  const chaosEvents = (await chaos?.finish()) ?? [];
  if (chaosEvents.length > 0) await watcher.waitAllTerminal(() => submitted.length, 300_000);
  await watcher.stop();
  await api.stop();
  const peaks = await resources.stop();

  const rows = watcher.snapshot();
  const metrics = measure(
    rows,
    submitted,
    system.tenants.map((t) => t.label),
  );
  log(`[load] phase ${ctx.phaseIndex + 1} done: ${metrics.tasksPerSecond} tasks/s; auditing`);
  const { counts, imageIds } = await auditPhase(
    system.databaseUrl,
    ctx.imageStore,
    submitted,
    options.auditWaitSeconds * 1000,
  );
  log(`[load] phase ${ctx.phaseIndex + 1} audit: ${JSON.stringify(counts)}`);

  // Delete what the phase made, so a full run fits on the disk.
  for (const task of submitted) {
    const imageId = imageIds.get(task.id);
    if (imageId) await system.tenants[task.tenantIndex]!.api.deleteImage(imageId);
  }
  for (const { tenantIndex, container } of exportContainers)
    await removeBucket(system.tenants[tenantIndex]!, container);

  const apiPercentiles = api.histogram.percentiles();
  return {
    workers,
    tasks: submitted.length,
    ...metrics,
    apiMs: { ...apiPercentiles, errors: api.errors },
    ...peaks,
    timeline: watcher.timeline,
    chaosEvents,
    audit: counts,
    failures: failureMessages(rows),
  };
}

function measure(rows: TaskRow[], submitted: Submitted[], tenantLabels: string[]) {
  const taskMs = new LatencyHistogram();
  const queueWaitMs = new LatencyHistogram();
  const terminal = rows.filter((r) => r.status === 'success' || r.status === 'failure');
  let bytes = 0;
  const tenantOf = new Map(submitted.map((s) => [s.id, s]));
  for (const row of terminal) {
    taskMs.record(row.updated_at.getTime() - row.created_at.getTime());
    if (row.started_at) queueWaitMs.record(row.started_at.getTime() - row.created_at.getTime());
    if (row.status === 'success') bytes += tenantOf.get(row.id)?.bytes ?? 0;
  }
  const first = Math.min(...rows.map((r) => r.created_at.getTime()));
  const last = Math.max(...terminal.map((r) => r.updated_at.getTime()));
  const seconds = terminal.length > 0 ? (last - first) / 1000 : 0;

  // The contended window: until the first tenant's last task ended, every tenant still had work waiting.
  const lastPerTenant = tenantLabels.map((_, i) =>
    Math.max(
      ...terminal.filter((r) => tenantOf.get(r.id)?.tenantIndex === i).map((r) => r.updated_at.getTime()),
    ),
  );
  const windowEnd = Math.min(...lastPerTenant);
  const inWindow = tenantLabels.map(
    (_, i) =>
      terminal.filter((r) => tenantOf.get(r.id)?.tenantIndex === i && r.updated_at.getTime() <= windowEnd)
        .length,
  );
  const windowTotal = inWindow.reduce((a, b) => a + b, 0) || 1;
  return {
    succeeded: rows.filter((r) => r.status === 'success').length,
    failed: rows.filter((r) => r.status === 'failure').length,
    seconds: round(seconds, 1),
    tasksPerSecond: seconds > 0 ? round(terminal.length / seconds) : 0,
    mbPerSecond: seconds > 0 ? round(bytes / 1e6 / seconds, 1) : 0,
    taskMs: taskMs.percentiles(),
    queueWaitMs: queueWaitMs.percentiles(),
    tenantShare: tenantLabels.map((tenant, i) => ({
      tenant,
      tasksInWindow: inWindow[i]!,
      share: round(inWindow[i]! / windowTotal, 3),
    })),
    jain: round(jainIndex(inWindow), 3),
  };
}

function failureMessages(rows: TaskRow[]): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (row.status !== 'failure') continue;
    const key = `${row.message ?? ''} (${(row.last_error ?? '').slice(0, 200)})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
}
