import { resolve } from 'node:path';
import { parseLoadArgs, USAGE, UsageError } from './options.js';
import { isAuditClean, runLoad, writeReports } from './run-load.js';

/** `pnpm bench:load`: see USAGE (options.ts) and bench/load/README.md. */
async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseLoadArgs>;
  try {
    parsed = parseLoadArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:load: ${error.message}\n\n${USAGE}`);
    return 64;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { options } = parsed;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Ctrl-C: leave through process.exit so every 'exit' handler runs (test-stack kills the stack, the API, the
  // workers and the private Redis there); re-raising the signal would skip them and orphan the services.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`[load] ${signal}: stopping every service this run started`);
      process.exit(130);
    });
  }
  const report = await runLoad(options, log, process.env);
  const out = resolve(process.env['INIT_CWD'] ?? process.cwd(), options.out ?? 'load-report.json');
  const html = writeReports(report, out);
  log(`[load] wrote ${out} and ${html}`);
  const clean = isAuditClean(report);
  log(`[load] audit: ${JSON.stringify(report.audit)}${clean ? '' : ' — NOT CLEAN'}`);
  return clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:load failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
