/** Unit → milliseconds for `--expires-in`, `--grace` and TOKEN_DEFAULT_TTL: `90d`, `12h`, `30m`, `2s`. */
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/** Longer than any sane token lifetime, and it keeps `now + duration` far inside the range of a Date. */
const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d;

const DURATION = /^(\d+)([dhms])$/;

/** A duration that can also be `never` (a token without expiry). `null` means never. */
export type TokenLifetime = number | null;

/** Why `text` is not a duration, or undefined when it is one. */
export function durationProblem(text: string, { allowNever }: { allowNever: boolean }): string | undefined {
  if (text === 'never') return allowNever ? undefined : "'never' is not allowed here";
  const match = DURATION.exec(text);
  if (!match)
    return `'${text}' is not a duration: a whole number and a unit d, h, m or s (e.g. 90d, 12h, 2s)`;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) return `'${text}' is longer than 100 years`;
  return undefined;
}

/** Milliseconds, or null for `never`. Call only on text `durationProblem` accepted. */
export function parseLifetime(text: string): TokenLifetime {
  if (text === 'never') return null;
  const [, amount, unit] = DURATION.exec(text) ?? [];
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}
