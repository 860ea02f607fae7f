import { type Database, type SecretBox, SecretBoxError, tenants } from '@cloud-images/shared';
import { and, asc, eq, gt } from 'drizzle-orm';
import { recordAuditEvent } from './audit-trail.js';

/** Rows locked and re-sealed per transaction: a crash loses at most one batch of work, never a row's secret. */
const BATCH_SIZE = 100;

export interface ResealReport {
  /** The key every value is now sealed with. */
  current_key_id: string;
  /** Rows re-sealed by this run (v1, or v2 under another key). */
  resealed: number;
  /** Rows already sealed with the current key (and so left untouched). */
  already_current: number;
  /** Rows that did not open with any configured key: left as they are, for an operator to set again. */
  failed: { tenant_id: string; error: string }[];
}

/**
 * `secrets reseal`: re-encrypts every tenant secret that is not already v2 under the current key, binding the
 * tenant id as associated data. Batches in id order, each in its own transaction with one audit event per
 * re-sealed row, so an interrupted run keeps what it did and a second run changes nothing (idempotent).
 */
export async function resealSecrets(
  database: Database,
  box: SecretBox,
  actor: string,
): Promise<ResealReport> {
  const report: ResealReport = {
    current_key_id: box.currentKeyId,
    resealed: 0,
    already_current: 0,
    failed: [],
  };
  let after = '';
  for (;;) {
    const batchCount = await database.transaction(async (db) => {
      const rows = await db
        .select({ id: tenants.id, sealed: tenants.s3SecretKeyEncrypted })
        .from(tenants)
        .where(gt(tenants.id, after))
        .orderBy(asc(tenants.id))
        .limit(BATCH_SIZE)
        .for('update');
      for (const row of rows) {
        after = row.id;
        if (box.isSealedWithCurrentKey(row.sealed)) {
          report.already_current++;
          continue;
        }
        let plaintext: string;
        try {
          plaintext = box.open(row.sealed, row.id);
        } catch (error) {
          if (!(error instanceof SecretBoxError)) throw error;
          report.failed.push({ tenant_id: row.id, error: error.message });
          continue;
        }
        await db
          .update(tenants)
          .set({ s3SecretKeyEncrypted: box.seal(plaintext, row.id) })
          .where(and(eq(tenants.id, row.id), eq(tenants.s3SecretKeyEncrypted, row.sealed)));
        await recordAuditEvent(db, {
          actor,
          action: 'secrets.reseal',
          target: row.id,
          tenantId: row.id,
          changedFields: ['s3_secret_key'],
        });
        report.resealed++;
      }
      return rows.length;
    });
    if (batchCount < BATCH_SIZE) return report;
  }
}
