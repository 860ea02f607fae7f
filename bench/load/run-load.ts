import { writeFileSync } from 'node:fs';
import { createObjectStoreFactory, defaultObjectStoreTimeouts } from '@cloud-images/shared';
import { type AuditCounts, addAudits, emptyAudit } from './audit.js';
import { assignInfraEvents, type ChaosEvent } from './chaos.js';
import { externalSystem } from './external-system.js';
import { fixtureKey, prepareFixtures, type SourceFixture } from './fixtures.js';
import { writeHtmlReport } from './html-report.js';
import type { LoadOptions } from './options.js';
import { startOwnedSystem } from './owned-system.js';
import { type PhaseReport, runPhase } from './phase.js';
import type { BenchTenant, LoadSystem } from './system.js';

export interface LoadReport {
  startedAt: string;
  finishedAt: string;
  options: Omit<LoadOptions, 'mix'> & { mix: string };
  system: Record<string, unknown>;
  phases: PhaseReport[];
  chaos: { events: ChaosEvent[] };
  audit: AuditCounts;
}

/** Nothing lost, duplicated, stuck or left behind in the object stores. */
export function isAuditClean(report: LoadReport): boolean {
  const { lost, duplicated, stuck, orphanObjects, orphanUploads } = report.audit;
  return lost + duplicated + stuck + orphanObjects + orphanUploads === 0;
}

/** Writes the JSON report to `jsonPath` and the HTML report next to it; returns the HTML path. */
export function writeReports(report: LoadReport, jsonPath: string): string {
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return writeHtmlReport(report, jsonPath);
}

/** Runs the whole harness (owned or external) and returns the report; the caller writes it. */
export async function runLoad(
  options: LoadOptions,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<LoadReport> {
  const startedAt = new Date().toISOString();
  const system: LoadSystem = options.apiUrl
    ? externalSystem(options.apiUrl, env, options.tenants)
    : await startOwnedSystem({ tenants: options.tenants, maxActive: options.maxActive, log });
  try {
    const { fixtures, remove } = await prepareFixtures(options.mix, system.tenants, log);
    const imageStore = {
      objects: createObjectStoreFactory(defaultObjectStoreTimeouts)(system.imageStore),
      bucket: system.imageStore.bucket,
    };
    const exportImages = await importExportSources(system.tenants, options, fixtures, log);
    const phaseWorkers: (number | null)[] = system.setWorkers ? options.workers : [null];
    const infra = assignInfraEvents(options.chaos, phaseWorkers.length);
    const phases: PhaseReport[] = [];
    for (const [phaseIndex, workers] of phaseWorkers.entries()) {
      phases.push(
        await runPhase(
          {
            system,
            options,
            fixtures,
            exportImages,
            imageStore,
            infraEvents: infra[phaseIndex]!,
            phaseIndex,
            log,
          },
          workers,
        ),
      );
    }
    for (const [key, imageId] of exportImages) {
      await system.tenants[Number(key.split('/')[0])]!.api.deleteImage(imageId);
    }
    await remove();
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      options: {
        ...options,
        mix: options.mix.map((e) => `${e.kind}:${e.sizeBytes / 2 ** 20}M:${e.weight}`).join(','),
      },
      system: system.describe(),
      phases,
      chaos: { events: phases.flatMap((p) => p.chaosEvents) },
      audit: phases.map((p) => p.audit).reduce(addAudits, emptyAudit()),
    };
  } finally {
    await system.close();
  }
}

/** Exports need an image: one import per tenant and export size, before the phases (not measured). */
async function importExportSources(
  tenants: BenchTenant[],
  options: LoadOptions,
  fixtures: Map<string, SourceFixture>,
  log: (line: string) => void,
): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  for (const entry of options.mix.filter((e) => e.kind === 'export' && e.weight > 0)) {
    const fixture = fixtures.get(fixtureKey('dynamic', entry.sizeBytes))!;
    for (const [index, tenant] of tenants.entries()) {
      const key = `${index}/${entry.sizeBytes}`;
      if (images.has(key)) continue;
      const task = await tenant.api.createTask(
        'import',
        { import_from: fixture.importFrom, image_properties: { name: `load-export-source-${index}` } },
        `load-export-source-${index}-${entry.sizeBytes}-${Date.now()}`,
      );
      for (;;) {
        const state = await tenant.api.getTask(task.id);
        if (state.status === 'success') {
          images.set(key, state.result!.image_id!);
          break;
        }
        if (state.status === 'failure') throw new Error(`the export source import ${task.id} failed`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  if (images.size > 0) log(`[load] ${images.size} export source images imported`);
  return images;
}
