import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eEnv } from '../support/e2e-env.js';

const repoFile = (path: string) => new URL(`../../../${path}`, import.meta.url);

/** Series Prometheus itself makes (not scraped from our /metrics). */
const PROMETHEUS_SERIES = new Set(['up']);

/** Metric names in a PromQL expression: identifiers followed by `{`, `[`, `)` or an operator, minus functions. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const names = withoutStrings.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g) ?? [];
  return names.filter((name) => name.startsWith('cloud_images_') || PROMETHEUS_SERIES.has(name));
}

/** The `# TYPE` families of an exposition, plus the series names histograms and summaries expand to. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!match) continue;
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

let env: E2eEnv;

beforeAll(async () => {
  env = await E2eEnv.start({ api: { EXPORT_TASK_GAUGES: 'true' } });
});

afterAll(async () => {
  await env?.stop();
});

describe('deploy/monitoring against the real /metrics of both services', () => {
  it('finds the metric names in PromQL (the check below is not vacuous)', () => {
    expect(
      metricNames(
        'sum by (le) (rate(cloud_images_a_bucket{code="x"}[5m])) / max(cloud_images_b) or absent(up{job="w"})',
      ),
    ).toEqual(['cloud_images_a_bucket', 'cloud_images_b', 'up']);
  });

  it('uses only metrics the API and the worker export', async () => {
    const scrape = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const [apiText, workerText] = await Promise.all([
      scrape(env.apiProcess.opsPort),
      scrape(env.workerProcess.opsPort),
    ]);
    const exposed = new Set([...exposedNames(apiText), ...exposedNames(workerText), ...PROMETHEUS_SERIES]);
    // Every metric of both services carries the prefix.
    expect([...exposed].filter((n) => !n.startsWith('cloud_images_') && !PROMETHEUS_SERIES.has(n))).toEqual(
      [],
    );

    const dashboard = JSON.parse(
      await readFile(repoFile('deploy/monitoring/grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const rules = await readFile(repoFile('deploy/monitoring/prometheus-rules.yaml'), 'utf8');
    const ruleExprs = [...rules.matchAll(/expr: (?:>-\n((?:\s{10}.*\n)+)|(.*)\n)/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    expect(ruleExprs.length).toBe(6);

    const used = new Map<string, string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) for (const n of metricNames(target.expr)) used.set(n, panel.title);
    }
    for (const expr of ruleExprs) for (const n of metricNames(expr)) used.set(n, 'rules');
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter(([name]) => !exposed.has(name));
    expect(missing, 'metrics used by the dashboard or the rules but exported by neither service').toEqual([]);
  });
});
