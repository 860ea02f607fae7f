import { type AdminCommandName, adminCommands, type CommandSpec } from './admin-command-specs.js';

const PROGRAM = 'cloud-images-admin';
/** Long synopses (tenant create) wrap at this column instead of running off a terminal. */
const WIDTH = 78;

function synopsis(name: string, spec: CommandSpec): string {
  const words = [
    ...Object.entries(spec.flags).map(([flag, { value, required }]) => {
      const word = value ? `--${flag} ${value}` : `--${flag}`;
      return required ? word : `[${word}]`;
    }),
    ...(spec.operand ? [spec.operand.value] : []),
  ];
  const head = `  ${PROGRAM} ${name}`;
  const lines = [head];
  for (const word of words) {
    const last = lines.length - 1;
    if (`${lines[last]} ${word}`.length > WIDTH) lines.push(`${' '.repeat(head.length)} ${word}`);
    else lines[last] = `${lines[last]} ${word}`;
  }
  return lines.join('\n');
}

function commandUsage(name: string, spec: CommandSpec): string {
  const lines = [synopsis(name, spec), `      ${spec.summary}`];
  const rows: [string, string][] = Object.entries(spec.flags).map(([flag, { value, describe }]) => [
    value ? `--${flag} ${value}` : `--${flag}`,
    describe,
  ]);
  if (spec.operand) rows.push([spec.operand.value, spec.operand.describe]);
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  for (const [left, describe] of rows) lines.push(`      ${left.padEnd(width)}  ${describe}`);
  return lines.join('\n');
}

/**
 * Usage of every command, or only of those starting with `prefix` ("tenant", "token create").
 * An unknown prefix gets the full usage.
 */
export function adminUsage(prefix = ''): string {
  const all = Object.entries(adminCommands) as [AdminCommandName, CommandSpec][];
  const matching = all.filter(([name]) => prefix !== '' && `${name} `.startsWith(`${prefix} `));
  const shown = matching.length > 0 ? matching : all;
  return [
    `usage: ${PROGRAM} <command> [flags]   (this text: -h, --help, help [command])`,
    'Needs DATABASE_URL and TENANT_SECRET_KEYS (or TENANT_SECRET_KEY); tenant update checks',
    'credentials against the tenant endpoint or S3_ENDPOINT/S3_REGION. Secrets are never',
    'flags: TENANT_S3_SECRET_KEY or --s3-secret-key-file PATH|- (stdin). Prints JSON on',
    'stdout. Errors: JSON on stderr, exit 64 (usage), 1 (refused, e.g. unknown tenant),',
    '78 (config), 70 (other).',
    '',
    ...shown.map(([name, spec]) => commandUsage(name, spec)),
  ].join('\n');
}
