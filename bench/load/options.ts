import { parseArgs } from 'node:util';

export const MiB = 1024 * 1024;

/** One kind of task in the mix: an import of a VHD of a given type and virtual size, or an export. */
export interface MixEntry {
  kind: 'dynamic' | 'fixed' | 'export';
  /** Virtual size of the VHD (imports) or of the image exported (exports). */
  sizeBytes: number;
  /** Relative weight (the spec's percentages; they need not add up to 100). */
  weight: number;
}

export type ChaosKind =
  | 'worker-sigkill'
  | 'redis-restart'
  | 'redis-restart-empty'
  | 'postgres-restart'
  | 's3-restart';
export const CHAOS_KINDS: readonly ChaosKind[] = [
  'worker-sigkill',
  'redis-restart',
  'redis-restart-empty',
  'postgres-restart',
  's3-restart',
];

export interface LoadOptions {
  workers: number[];
  tenants: number;
  tasks: number;
  mix: MixEntry[];
  /** Empty: no chaos. */
  chaos: ChaosKind[];
  /** Seconds between worker SIGKILLs. */
  killEverySeconds: number;
  /** At most this many worker SIGKILLs per phase. */
  maxKillsPerPhase: number;
  out: string | undefined;
  /** External mode: the API of a running deployment. */
  apiUrl: string | undefined;
  /** Per-tenant max-active the harness sets in owned mode (tasks handed to the workers at once). */
  maxActive: number;
  phaseTimeoutSeconds: number;
  /** How long the audit waits for in-flight cleanup (aborted uploads, removed objects) to settle. */
  auditWaitSeconds: number;
  seed: number;
}

export const DEFAULT_MIX = 'dynamic:64M:80,fixed:256M:15,export:5';

export const USAGE = `pnpm bench:load [options]

Drives a whole system with parallel workers: submits imports and exports for several tenants, measures throughput,
latency and fairness per phase, audits that nothing was lost or duplicated, and writes a JSON + HTML report.

Owned mode (default): starts the native stack (Postgres, Redis with appendonly yes, Swift S3), the API and N worker
processes per phase itself. External mode (--api-url): drives a running deployment (docker compose, Kubernetes).

Options:
  --workers LIST        worker processes per phase, one phase each (owned mode)      default 1,2,4
  --tenants T           tenants sharing the load                                     default 4
  --tasks M             tasks per phase, spread evenly over the tenants              default 100
  --mix SPEC            kind:size:percent,... kinds dynamic|fixed (imports), export   default ${DEFAULT_MIX}
                        (export[:size]:percent exports an image of that size, default 64M)
  --chaos               owned mode only: SIGKILL a random worker every --kill-every s (restarted at once),
                        restart Redis once with its data and once empty, Postgres once, the S3 endpoint once
  --chaos-events LIST   only these chaos events (implies --chaos): ${CHAOS_KINDS.join(',')}
  --kill-every S        seconds between worker SIGKILLs (at least one per phase)     default 20
  --max-kills N         at most N worker SIGKILLs per phase                          default 1000
  --max-active N        per-tenant max-active set on the bench tenants (owned mode)  default 16
  --phase-timeout S     a phase's tasks not terminal after S seconds count as stuck  default 1800
  --audit-wait S        how long the audit waits for cleanup (the sweep) to settle   default 90
  --seed N              task-order seed                                              default 1
  --out FILE.json       the report; FILE.html is written next to it                  default load-report.json
  --api-url URL         external mode: the deployment's API (no --workers phases, no --chaos)
  -h, --help            this text

External mode reads its secrets from the environment, never from arguments:
  LOAD_TENANTS          JSON array, one object per tenant:
                        [{"token":"…","s3AccessKey":"…","s3SecretKey":"…","bucketPrefix":"…","s3Endpoint":"http://…"}]
  DATABASE_URL          the deployment's Postgres (audit, queue wait, connection count)
  REDIS_URL             its Redis (used_memory)
  S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, IMAGE_STORE_BUCKET
                        the image store (audit: stored objects, orphan objects and uploads)

Admission: the bench tenants' limits are raised (max-pending, max-images, max-image-bytes) so no POST is
answered 413; in external mode set them yourself (cloud-images-admin tenant update).

Disk (owned mode): peak ≈ T x (sum of the fixture files) + M x (mean stored size of a task), one replica; images
are deleted after each phase's audit. Default mix, 4 tenants, 100 tasks per phase: 1.2 GiB of fixtures + 6.4 GiB
of images ≈ 8 GiB at peak (bound: 20 GiB; keep --tasks <= 250 on the default mix). See bench/load/README.md.
`;

/** `64M`, `1G`, `512K` or bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (!match) throw new Error(`size "${text}" must be a number with an optional K, M or G suffix`);
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** `dynamic:64M:80,fixed:256M:15,export:5` → entries; see USAGE. */
export function parseMix(spec: string): MixEntry[] {
  const entries = spec.split(',').map((part): MixEntry => {
    const fields = part.trim().split(':');
    const kind = fields[0];
    if (kind === 'export' && fields.length === 2) {
      return { kind, sizeBytes: 64 * MiB, weight: parseWeight(fields[1]!, part) };
    }
    if ((kind === 'dynamic' || kind === 'fixed' || kind === 'export') && fields.length === 3) {
      return { kind, sizeBytes: parseSize(fields[1]!), weight: parseWeight(fields[2]!, part) };
    }
    throw new Error(`mix entry "${part}" must be dynamic:SIZE:PCT, fixed:SIZE:PCT or export[:SIZE]:PCT`);
  });
  if (!entries.some((e) => e.weight > 0)) throw new Error('the mix has no entry with a weight above 0');
  return entries;
}

function parseWeight(text: string, part: string): number {
  const weight = Number(text);
  if (!Number.isFinite(weight) || weight < 0)
    throw new Error(`mix entry "${part}": bad percentage "${text}"`);
  return weight;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

export class UsageError extends Error {}

/** Parses the command line; `help` when -h/--help was given. */
export function parseLoadArgs(argv: string[]): { help: true } | { help: false; options: LoadOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        workers: { type: 'string', default: '1,2,4' },
        tenants: { type: 'string', default: '4' },
        tasks: { type: 'string', default: '100' },
        mix: { type: 'string', default: DEFAULT_MIX },
        chaos: { type: 'boolean', default: false },
        'chaos-events': { type: 'string' },
        'kill-every': { type: 'string', default: '20' },
        'max-kills': { type: 'string', default: '1000' },
        'max-active': { type: 'string', default: '16' },
        'phase-timeout': { type: 'string', default: '1800' },
        'audit-wait': { type: 'string', default: '90' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: 'load-report.json' },
        'api-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  try {
    const chaosEvents = values['chaos-events'] as string | undefined;
    const chaos: ChaosKind[] = chaosEvents
      ? chaosEvents.split(',').map((k) => {
          if (!CHAOS_KINDS.includes(k as ChaosKind)) throw new Error(`unknown chaos event "${k}"`);
          return k as ChaosKind;
        })
      : values.chaos
        ? [...CHAOS_KINDS]
        : [];
    const apiUrl = values['api-url'] as string | undefined;
    if (apiUrl && chaos.length > 0) {
      throw new Error(
        '--chaos needs owned mode: the harness can only kill workers and restart Redis, Postgres and S3 that it ' +
          'started itself. Drop --api-url, or drop --chaos.',
      );
    }
    return {
      help: false,
      options: {
        workers: (values.workers as string).split(',').map((w) => positiveInt('workers', w)),
        tenants: positiveInt('tenants', values.tenants as string),
        tasks: positiveInt('tasks', values.tasks as string),
        mix: parseMix(values.mix as string),
        chaos,
        killEverySeconds: positiveInt('kill-every', values['kill-every'] as string),
        maxKillsPerPhase: Number(values['max-kills']),
        maxActive: positiveInt('max-active', values['max-active'] as string),
        phaseTimeoutSeconds: positiveInt('phase-timeout', values['phase-timeout'] as string),
        auditWaitSeconds: Number(values['audit-wait']),
        seed: Number(values.seed),
        out: values.out as string,
        apiUrl,
      },
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
