import { statSync } from 'node:fs';
import { FixtureDir } from '@cloud-images/vhd-fixtures';
import { MiB, type MixEntry } from './options.js';
import type { BenchTenant } from './system.js';

/** The tenants' container holding the source VHDs of every import. */
export const SOURCE_CONTAINER = 'load-src';

export interface SourceFixture {
  kind: 'dynamic' | 'fixed';
  sizeBytes: number;
  /** `load-src/<name>`: the import_from of an import. */
  importFrom: string;
  /** Bytes of the VHD file: what an import reads and stores. */
  fileBytes: number;
}

export function fixtureKey(kind: 'dynamic' | 'fixed', sizeBytes: number): string {
  return `${kind}-${sizeBytes / MiB}M`;
}

/**
 * One qemu-made VHD per (kind, size) of the mix (exports need a dynamic one of their size: their image), half
 * of the disk written so hashing and uploads move real data; uploaded once to every tenant's source container.
 */
export async function prepareFixtures(
  mix: MixEntry[],
  tenants: BenchTenant[],
  log: (line: string) => void,
): Promise<{ fixtures: Map<string, SourceFixture>; remove: () => Promise<void> }> {
  const dir = new FixtureDir('load-fixtures-');
  const fixtures = new Map<string, SourceFixture>();
  try {
    for (const entry of mix) {
      const kind = entry.kind === 'export' ? 'dynamic' : entry.kind;
      const key = fixtureKey(kind, entry.sizeBytes);
      if (fixtures.has(key)) continue;
      const path = await dir.make(`${key}.vhd`, kind, entry.sizeBytes, [
        { pattern: 0x5a, offset: 0, length: Math.max(MiB, entry.sizeBytes / 2) },
      ]);
      fixtures.set(key, {
        kind,
        sizeBytes: entry.sizeBytes,
        importFrom: `${SOURCE_CONTAINER}/${key}.vhd`,
        fileBytes: statSync(path).size,
      });
      for (const tenant of tenants) {
        const bucket = `${tenant.bucketPrefix}${SOURCE_CONTAINER}`;
        if (!(await tenant.s3.bucketExists(bucket))) await tenant.s3.makeBucket(bucket, tenant.region);
        await tenant.s3.fPutObject(bucket, `${key}.vhd`, path);
      }
      log(
        `[load] fixture ${key}.vhd (${(statSync(path).size / MiB).toFixed(1)} MiB) uploaded to ${tenants.length} tenants`,
      );
    }
  } finally {
    // Uploaded: the local copies are no longer needed, and they would count twice against the disk budget.
    await dir.remove();
  }
  const remove = async () => {
    for (const tenant of tenants) await removeBucket(tenant, SOURCE_CONTAINER);
  };
  return { fixtures, remove };
}

/** Removes a tenant's container and everything in it (missing is fine). */
export async function removeBucket(tenant: BenchTenant, container: string): Promise<void> {
  const bucket = `${tenant.bucketPrefix}${container}`;
  if (!(await tenant.s3.bucketExists(bucket))) return;
  // An export the queue failed as stalled leaves its upload behind (the audit counted it); S3 refuses to remove a
  // bucket that still has one.
  for (const upload of await tenant.store.listIncompleteUploads(bucket, '')) {
    await tenant.store.abortIncompleteUploads(bucket, upload.key);
  }
  const objects = await tenant.s3.listObjectsV2(bucket, '', true).toArray();
  for (const object of objects) if (object.name) await tenant.s3.removeObject(bucket, object.name);
  await tenant.s3.removeBucket(bucket);
}
