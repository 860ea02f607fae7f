import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLoadArgs } from './options.js';
import { isAuditClean, runLoad, writeReports } from './run-load.js';

/**
 * The harness's CI smoke run (full runs are manual: bench/load/README.md). It owns a private stack: 2 phases (1 and
 * 2 workers), 20 small tasks each, and chaos limited to worker SIGKILLs and one Redis restart that loses its data.
 */
const dir = mkdtempSync(join(tmpdir(), 'load-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench:load smoke run', () => {
  it('keeps every task under chaos (clean audit) and writes the report in its documented shape', async () => {
    const parsed = parseLoadArgs([
      '--workers',
      '1,2',
      '--tenants',
      '2',
      '--tasks',
      '20',
      '--mix',
      'dynamic:8M:90,export:8M:10',
      '--chaos-events',
      'worker-sigkill,redis-restart-empty',
      '--kill-every',
      '3',
      '--max-kills',
      '1',
      '--audit-wait',
      '30',
      '--out',
      join(dir, 'report.json'),
    ]);
    if (parsed.help) throw new Error('unexpected --help');
    const lines: string[] = [];
    const report = await runLoad(parsed.options, (line) => lines.push(line));
    const html = writeReports(report, parsed.options.out!);
    console.log(lines.join('\n'));

    expect(isAuditClean(report), JSON.stringify(report.audit)).toBe(true);
    expect(report.audit).toMatchObject({ tasks: 40, terminal: 40, lost: 0, duplicated: 0, stuck: 0 });
    expect(report.audit.succeededImports).toBe(report.audit.images);
    expect(report.audit.images).toBe(report.audit.storedObjects);
    const kinds = report.chaos.events.map((e) => e.kind);
    expect(kinds).toContain('worker-sigkill');
    expect(kinds.filter((k) => k === 'redis-restart-empty')).toHaveLength(1);

    const json = JSON.parse(readFileSync(parsed.options.out!, 'utf8'));
    const percentiles = { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) };
    expect(json.phases.map((p: { workers: number }) => p.workers)).toEqual([1, 2]);
    for (const phase of json.phases) {
      expect(phase).toMatchObject({
        tasks: 20,
        tasksPerSecond: expect.any(Number),
        mbPerSecond: expect.any(Number),
        taskMs: percentiles,
        queueWaitMs: percentiles,
        apiMs: percentiles,
        jain: expect.any(Number),
        redisUsedMemoryBytes: expect.any(Number),
        postgresConnections: expect.any(Number),
        workerPeakRssBytes: expect.any(Number),
      });
      expect(phase.tasksPerSecond).toBeGreaterThan(0);
    }
    for (const event of json.chaos.events) {
      expect(event).toMatchObject({
        kind: expect.any(String),
        at: expect.any(String),
        recoveredMs: expect.any(Number),
      });
    }
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('new Chart(');
  }, 300_000);
});
