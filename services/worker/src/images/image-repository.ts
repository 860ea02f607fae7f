import { randomUUID } from 'node:crypto';
import type { DbExecutor } from '@cloud-images/shared';
import { type ImageRow, images } from '@cloud-images/shared';
import { and, eq, ne, sql } from 'drizzle-orm';

/** What an accepted import records on its image row (Glance fields plus the facts export needs). */
export interface ActivatedImageFacts {
  size: number;
  virtualSize: number;
  checksum: string;
  osHashValue: string;
  vhdType: 'fixed' | 'dynamic';
  allocationMapBase64: string;
}

/** The image-store key of an image. Deterministic, so a retried upload overwrites instead of orphaning. */
export function storageKeyForImage(imageId: string): string {
  return `images/${imageId}.vhd`;
}

export class ImageRepository {
  constructor(private readonly db: DbExecutor) {}

  /**
   * The image row of an import task, created on the first attempt and reused on every retry:
   * `source_task_id` is unique, so a retry can never make a second image. A row its owner deleted stays deleted:
   * the conflict update skips it and this returns undefined, so a retried import never resurrects the image.
   */
  async upsertSavingImageForTask(input: { taskId: string; tenantId: string; name: string | null }) {
    const id = randomUUID();
    const [row] = await this.db
      .insert(images)
      .values({
        id,
        tenantId: input.tenantId,
        sourceTaskId: input.taskId,
        name: input.name,
        status: 'saving',
        storageKey: storageKeyForImage(id),
      })
      .onConflictDoUpdate({
        target: images.sourceTaskId,
        set: { status: 'saving', updatedAt: sql`now()` },
        setWhere: ne(images.status, 'deleted'),
      })
      .returning({ id: images.id, storageKey: images.storageKey });
    if (!row) return undefined;
    if (!row.storageKey) throw new Error(`image upsert for task ${input.taskId} returned no storage key`);
    return { id: row.id, storageKey: row.storageKey };
  }

  /** saving → active with the validated facts. Returns false if the row is gone or not saving. */
  async activate(imageId: string, facts: ActivatedImageFacts, db: DbExecutor = this.db): Promise<boolean> {
    const rows = await db
      .update(images)
      .set({
        status: 'active',
        size: facts.size,
        virtualSize: facts.virtualSize,
        checksum: facts.checksum,
        osHashAlgo: 'sha512',
        osHashValue: facts.osHashValue,
        vhdType: facts.vhdType,
        allocationMap: facts.allocationMapBase64,
        updatedAt: sql`now()`,
      })
      .where(and(eq(images.id, imageId), eq(images.status, 'saving')))
      .returning({ id: images.id });
    return rows.length === 1;
  }

  /** The not-yet-active image an import task was making, if any. */
  async findUnfinishedImageOfTask(taskId: string): Promise<{ id: string; storageKey: string } | undefined> {
    const [row] = await this.db
      .select({ id: images.id, storageKey: images.storageKey })
      .from(images)
      .where(and(eq(images.sourceTaskId, taskId), eq(images.status, 'saving')));
    return row?.storageKey ? { id: row.id, storageKey: row.storageKey } : undefined;
  }

  async deleteImage(imageId: string): Promise<void> {
    await this.db.delete(images).where(eq(images.id, imageId));
  }

  /** The image a tenant may export: its own and active. Anything else looks the same to the caller. */
  async findExportableImage(imageId: string, tenantId: string): Promise<ImageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(images)
      .where(and(eq(images.id, imageId), eq(images.tenantId, tenantId), eq(images.status, 'active')));
    return row;
  }
}
