import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LoadReport } from './run-load.js';

const require = createRequire(import.meta.url);

/** Chart.js's UMD build, inlined so the report opens offline (no CDN). */
function chartJsSource(): string {
  // The package exports only its entry points: the UMD file sits next to the CommonJS one (dist/).
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Writes FILE.html next to FILE.json: throughput over time, latency percentiles vs workers, tenant share. */
export function writeHtmlReport(report: LoadReport, jsonPath: string): string {
  const htmlPath = jsonPath.replace(/\.json$/i, '') + '.html';
  writeFileSync(htmlPath, renderHtml(report));
  return htmlPath;
}

export function renderHtml(report: LoadReport): string {
  const phaseLabel = (p: LoadReport['phases'][number]) =>
    p.workers === null ? 'external' : `${p.workers} worker${p.workers === 1 ? '' : 's'}`;
  const rows = report.phases
    .map(
      (p) =>
        `<tr><td>${phaseLabel(p)}</td><td>${p.tasks}</td><td>${p.succeeded}/${p.failed}</td><td>${p.tasksPerSecond}</td>` +
        `<td>${p.mbPerSecond}</td><td>${p.taskMs.p50}/${p.taskMs.p95}/${p.taskMs.p99}</td>` +
        `<td>${p.queueWaitMs.p50}/${p.queueWaitMs.p95}/${p.queueWaitMs.p99}</td><td>${p.apiMs.p50}/${p.apiMs.p99} (${p.apiMs.errors} err)</td>` +
        `<td>${p.jain}</td><td>${(p.redisUsedMemoryBytes / 2 ** 20).toFixed(1)}</td><td>${p.postgresConnections}</td>` +
        `<td>${p.workerPeakRssBytes === null ? '–' : (p.workerPeakRssBytes / 2 ** 20).toFixed(0)}</td></tr>`,
    )
    .join('\n');
  const events = report.chaos.events
    .map(
      (e) =>
        `<tr><td>${e.kind}</td><td>${e.workers}</td><td>${e.at}</td><td>${e.serviceMs}</td><td>${e.recoveredMs ?? 'not recovered'}</td></tr>`,
    )
    .join('\n');
  const failures = report.phases
    .flatMap((p) =>
      p.failures.map(
        (f) => `<tr><td>${phaseLabel(p)}</td><td>${f.count}</td><td>${escapeHtml(f.message)}</td></tr>`,
      ),
    )
    .join('\n');
  const audit = Object.entries(report.audit)
    .map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`)
    .join('');
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cloud-images bench:load ${escapeHtml(report.startedAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:1150px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child{text-align:left}.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.chart{height:300px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
</style></head><body>
<h1>cloud-images load run, ${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)}</h1>
<p>${escapeHtml(String(report.system['mode']))} mode; ${report.options.tenants} tenants, ${report.options.tasks} tasks per phase,
mix ${escapeHtml(report.options.mix)}; chaos: ${escapeHtml(report.options.chaos.join(', ') || 'off')}.</p>
<h2>Phases</h2>
<table><tr><th>phase</th><th>tasks</th><th>ok/failed</th><th>tasks/s</th><th>MB/s</th><th>task ms p50/95/99</th>
<th>queue wait ms p50/95/99</th><th>API ms p50/p99</th><th>Jain</th><th>Redis MiB</th><th>PG conns</th><th>worker RSS MiB</th></tr>
${rows}</table>
<div class="charts">
<div class="chart"><canvas id="throughput"></canvas></div>
<div class="chart"><canvas id="latency"></canvas></div>
<div class="chart"><canvas id="share"></canvas></div>
<div class="chart"><canvas id="mb"></canvas></div>
</div>
<h2>Chaos events</h2>
<table><tr><th>event</th><th>phase workers</th><th>at</th><th>service back ms</th><th>tasks progressing ms</th></tr>${events || '<tr><td colspan="5">none</td></tr>'}</table>
<h2>Failed tasks</h2>
<table><tr><th>phase</th><th>tasks</th><th>message</th></tr>${failures || '<tr><td colspan="3">none</td></tr>'}</table>
<h2>Audit (all phases)</h2><table>${audit}</table>
<script>${chartJsSource()}</script>
<script>
const report = ${data};
const label = (p) => p.workers === null ? 'external' : p.workers + (p.workers === 1 ? ' worker' : ' workers');
const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const opts = (title, x, y) => ({ responsive: true, maintainAspectRatio: false, animation: false,
  plugins: { title: { display: true, text: title } },
  scales: { x: { title: { display: !!x, text: x } }, y: { title: { display: !!y, text: y }, beginAtZero: true } } });
// Tasks per second over a 10 s sliding window, from the per-second timeline of tasks done.
const rate = (timeline) => timeline.map((pt, i) => {
  const back = timeline[Math.max(0, i - 10)];
  return { x: pt.t, y: pt.t > back.t ? (pt.done - back.done) / (pt.t - back.t) : 0 };
});
new Chart(document.getElementById('throughput'), { type: 'line',
  data: { datasets: report.phases.map((p, i) => ({ label: label(p), data: rate(p.timeline), borderColor: colors[i], backgroundColor: colors[i], pointRadius: 0 })) },
  options: { ...opts('Throughput over time (tasks/s, 10 s window)', 'seconds into the phase', 'tasks/s'),
    scales: { x: { type: 'linear', title: { display: true, text: 'seconds into the phase' } }, y: { beginAtZero: true } } } });
new Chart(document.getElementById('mb'), { type: 'line',
  data: { datasets: report.phases.map((p, i) => ({ label: label(p), data: p.timeline.map((pt) => ({ x: pt.t, y: pt.mb })), borderColor: colors[i], backgroundColor: colors[i], pointRadius: 0 })) },
  options: { ...opts('MB moved (cumulative)', 'seconds into the phase', 'MB'),
    scales: { x: { type: 'linear', title: { display: true, text: 'seconds into the phase' } }, y: { beginAtZero: true } } } });
const series = [['task p50', (p) => p.taskMs.p50], ['task p95', (p) => p.taskMs.p95], ['task p99', (p) => p.taskMs.p99],
  ['queue wait p50', (p) => p.queueWaitMs.p50], ['queue wait p99', (p) => p.queueWaitMs.p99],
  ['API p50', (p) => p.apiMs.p50], ['API p99', (p) => p.apiMs.p99]];
new Chart(document.getElementById('latency'), { type: 'line',
  data: { labels: report.phases.map(label), datasets: series.map(([name, f], i) => ({ label: name, data: report.phases.map(f), borderColor: colors[i], backgroundColor: colors[i] })) },
  options: { ...opts('Latency percentiles against workers (ms, log scale)', 'phase', 'ms'),
    scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms' } } } } });
const tenants = report.phases[0] ? report.phases[0].tenantShare.map((s) => s.tenant) : [];
new Chart(document.getElementById('share'), { type: 'bar',
  data: { labels: report.phases.map((p) => label(p) + ' (Jain ' + p.jain + ')'),
    datasets: tenants.map((t, i) => ({ label: t, backgroundColor: colors[i % colors.length],
      data: report.phases.map((p) => p.tenantShare[i].share) })) },
  options: { ...opts("Each tenant's share of the throughput (contended window)", 'phase', 'share'),
    scales: { x: { stacked: true }, y: { stacked: true, max: 1 } } } });
</script></body></html>
`;
}
