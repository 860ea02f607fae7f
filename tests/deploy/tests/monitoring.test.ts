import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath, report, run } from './helpers.js';

/** Debian's `prometheus` package (scripts/bootstrap.sh) ships it here. */
const PROMTOOL = '/usr/bin/promtool';
const dir = repoPath('deploy/monitoring');

describe('deploy/monitoring', () => {
  it('promtool check rules: the alert rules are valid', async () => {
    const result = await run(PROMTOOL, ['check', 'rules', 'prometheus-rules.yaml'], { cwd: dir });
    report('promtool check rules', result.stdout + result.stderr);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: 6 rules found/);
  });

  it('promtool test rules: the alert unit tests pass', async () => {
    const result = await run(PROMTOOL, ['test', 'rules', 'prometheus-rules.test.yaml'], { cwd: dir });
    report('promtool test rules', result.stdout + result.stderr);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS/);
    // At least two alerts are unit-tested.
    const tested = new Set(
      [...readFileSync(`${dir}/prometheus-rules.test.yaml`, 'utf8').matchAll(/alertname: (\w+)/g)].map(
        (m) => m[1],
      ),
    );
    expect(tested.size).toBeGreaterThanOrEqual(2);
  });

  it('alerts on outbox lag, queue wait, failure rate, stuck tasks, no worker and API 5xx, each with a runbook', () => {
    const rules = readFileSync(`${dir}/prometheus-rules.yaml`, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual([
      'CloudImagesOutboxLagging',
      'CloudImagesQueueWaitHigh',
      'CloudImagesTaskFailureRateHigh',
      'CloudImagesTasksStuckInProcessing',
      'CloudImagesNoWorkerUp',
      'CloudImagesApi5xxRateHigh',
    ]);
    const operations = readFileSync(repoPath('docs/operations.md'), 'utf8');
    for (const alert of alerts)
      expect(operations, `docs/operations.md covers ${alert}`).toContain(`### ${alert}`);
  });

  it('the Grafana dashboard has the panels operators need', () => {
    const dashboard = JSON.parse(readFileSync(`${dir}/grafana-dashboard.json`, 'utf8')) as {
      uid: string;
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('cloud-images');
    expect(dashboard.panels.map((p) => p.title)).toEqual([
      'Task throughput',
      'Image throughput (MB/s)',
      'Task latency percentiles',
      'Queue wait',
      'Queue depth and active tasks',
      'Failures by code',
      'Outbox lag',
      'Worker RSS',
      'API latency',
      'API request and error rates',
    ]);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });
});
