#!/usr/bin/env node
// Adds up the JSON reports that each workspace's vitest run wrote (.vitest-report.json) and prints one closing
// line for the whole run, so the total is visible without scrolling through every package's output.
//   node scripts/test-summary.mjs --reset   delete old reports (before a run)
//   node scripts/test-summary.mjs           print "N passed, N failed, N skipped"; fail if a workspace that has
//                                           a test script left no report, or any test failed
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const workspaces = ['packages', 'services', 'tests', 'tools']
  .filter((group) => existsSync(join(root, group)))
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  // bench/ is one workspace of its own at the top level (its test: the bench:load smoke run).
  .concat(join(root, 'bench'))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.test);

if (process.argv.includes('--reset')) {
  for (const dir of workspaces) rmSync(join(dir, '.vitest-report.json'), { force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaces) {
  const file = join(dir, '.vitest-report.json');
  if (!existsSync(file)) {
    missing.push(dir.slice(root.length));
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
