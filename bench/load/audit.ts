import type { ObjectStore } from '@cloud-images/shared';
import pg from 'pg';

export interface AuditCounts {
  tasks: number;
  terminal: number;
  succeeded: number;
  failed: number;
  /** Accepted (201) but not in Postgres, or succeeded without its result (image row, stored object, export copy). */
  lost: number;
  /** A task with more than one result: two images for one import, two copies in one export's container. */
  duplicated: number;
  /** Not terminal when the phase ended (its timeout). */
  stuck: number;
  /** Image-store objects no queued, saving or active image claims. */
  orphanObjects: number;
  /** Unfinished multipart uploads in the image store or the phase's export containers. */
  orphanUploads: number;
  /** Orphan objects and uploads when the phase ended, before the audit waited for cleanup (e.g. the sweep). */
  orphanObjectsAtPhaseEnd: number;
  orphanUploadsAtPhaseEnd: number;
  succeededImports: number;
  images: number;
  storedObjects: number;
}

export interface AuditedTask {
  id: string;
  type: 'import' | 'export';
  /** Export only: where its copy must be, and who can look. */
  exportTarget?: { store: ObjectStore; bucket: string };
}

export function emptyAudit(): AuditCounts {
  return {
    tasks: 0,
    terminal: 0,
    succeeded: 0,
    failed: 0,
    lost: 0,
    duplicated: 0,
    stuck: 0,
    orphanObjects: 0,
    orphanUploads: 0,
    orphanObjectsAtPhaseEnd: 0,
    orphanUploadsAtPhaseEnd: 0,
    succeededImports: 0,
    images: 0,
    storedObjects: 0,
  };
}

export function addAudits(a: AuditCounts, b: AuditCounts): AuditCounts {
  const sum = emptyAudit();
  for (const key of Object.keys(sum) as (keyof AuditCounts)[]) sum[key] = a[key] + b[key];
  return sum;
}

/**
 * Audits one phase against Postgres and the object stores: every task terminal; succeeded imports = their image
 * rows = their stored objects; one copy per succeeded export; no orphan objects or multipart uploads. Cleanup
 * that may still be in flight (an aborted upload, the image-store sweep) gets `waitMs` to settle; what was there
 * when the phase ended is kept in the `…AtPhaseEnd` counts, so the sweep's work stays visible.
 */
export async function auditPhase(
  databaseUrl: string,
  imageStore: { objects: ObjectStore; bucket: string },
  tasks: AuditedTask[],
  waitMs: number,
): Promise<{ counts: AuditCounts; imageIds: Map<string, string> }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-load-audit' });
  await client.connect();
  try {
    const ids = tasks.map((t) => t.id);
    const { rows } = await client.query<{ id: string; status: string; image_id: string | null }>(
      `select t.id, t.status, t.result->>'image_id' as image_id from tasks t where t.id = any($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const counts = emptyAudit();
    counts.tasks = tasks.length;
    counts.lost += tasks.filter((t) => !byId.has(t.id)).length;
    counts.terminal = rows.filter((r) => r.status === 'success' || r.status === 'failure').length;
    counts.succeeded = rows.filter((r) => r.status === 'success').length;
    counts.failed = rows.filter((r) => r.status === 'failure').length;
    counts.stuck = rows.length - counts.terminal;

    const importIds = tasks.filter((t) => t.type === 'import').map((t) => t.id);
    const succeededImports = rows.filter((r) => r.status === 'success' && importIds.includes(r.id));
    counts.succeededImports = succeededImports.length;
    const images = await client.query<{ id: string; source_task_id: string; storage_key: string | null }>(
      `select id, source_task_id, storage_key from images where source_task_id = any($1::uuid[]) and status = 'active'`,
      [importIds],
    );
    counts.images = images.rows.length;
    const imagesPerTask = new Map<string, number>();
    for (const image of images.rows) {
      imagesPerTask.set(image.source_task_id, (imagesPerTask.get(image.source_task_id) ?? 0) + 1);
    }
    for (const task of succeededImports) if (!imagesPerTask.has(task.id)) counts.lost += 1;
    for (const n of imagesPerTask.values()) if (n > 1) counts.duplicated += n - 1;

    const deadline = Date.now() + waitMs;
    for (let check = 0; ; check++) {
      const stored = new Set((await imageStore.objects.listObjects(imageStore.bucket, '')).map((o) => o.key));
      const live = await client.query<{ storage_key: string }>(
        `select storage_key from images where storage_key is not null and status in ('queued', 'saving', 'active')`,
      );
      const liveKeys = new Set(live.rows.map((r) => r.storage_key));
      counts.storedObjects = images.rows.filter((i) => i.storage_key && stored.has(i.storage_key)).length;
      counts.orphanObjects = [...stored].filter((key) => !liveKeys.has(key)).length;
      let uploads = (await imageStore.objects.listIncompleteUploads(imageStore.bucket, '')).length;
      for (const task of tasks) {
        if (task.exportTarget) {
          uploads += (await task.exportTarget.store.listIncompleteUploads(task.exportTarget.bucket, ''))
            .length;
        }
      }
      counts.orphanUploads = uploads;
      if (check === 0) {
        counts.orphanObjectsAtPhaseEnd = counts.orphanObjects;
        counts.orphanUploadsAtPhaseEnd = counts.orphanUploads;
      }
      if ((counts.orphanObjects === 0 && counts.orphanUploads === 0) || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    counts.lost += counts.images - counts.storedObjects;

    for (const task of tasks) {
      if (!task.exportTarget || byId.get(task.id)?.status !== 'success') continue;
      const copies = await task.exportTarget.store.listObjects(task.exportTarget.bucket, '');
      if (copies.length === 0) counts.lost += 1;
      if (copies.length > 1) counts.duplicated += copies.length - 1;
    }
    const imageIds = new Map(images.rows.map((i) => [i.source_task_id, i.id]));
    return { counts, imageIds };
  } finally {
    await client.end().catch(() => {});
  }
}
