import type { z } from 'zod';

type Issue = Parameters<Extract<z.core.$ZodErrorMap, (...args: never[]) => unknown>>[0];

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The default message of a contract violation: names the field and the problem, e.g.
 * "Missing required field 'input.import_from'." Used as zod's per-parse error map, so schemas that carry
 * their own message (an unknown task type, an invalid limit) keep it. `prefix` names where the value sits.
 */
export function describeContractIssue(issue: Issue, prefix: readonly string[] = []): string {
  const path = [...prefix, ...(issue.path ?? []).map(String)];
  const field = path.length > 0 ? `'${path.join('.')}'` : 'the request body';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Unexpected key(s) in ${field}: ${issue.keys.map((k) => `'${k}'`).join(', ')}.`;
    case 'invalid_union':
      // A discriminated union without a matching discriminator whose value is missing.
      return `Missing required field ${field}.`;
    case 'invalid_type':
      if (issue.input === undefined) return `Missing required field ${field}.`;
      if (issue.expected === 'object') {
        return path.length > 0
          ? `${field} must be a JSON object.`
          : 'The request body must be a JSON object.';
      }
      return `${field} must be of type ${issue.expected}, not ${jsonTypeOf(issue.input)}.`;
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? `${field} must not be empty.`
        : `${field} is too small: expected at least ${String(issue.minimum)}.`;
    case 'too_big':
      return `${field} is too large: expected at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}.`;
    case 'invalid_format':
      return issue.format === 'guid' || issue.format === 'uuid'
        ? `${field} must be a UUID.`
        : `${field} must be a valid ${issue.format}.`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}.`;
    default:
      return `${field} is invalid.`;
  }
}

/**
 * Parses `value` with a contract schema. On failure returns the message of the issue a reader would fix first:
 * the outermost one (the body's shape before its fields), unknown keys before the rest at the same depth.
 */
export function parseContract<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: readonly string[] = [],
): { ok: true; value: z.output<T> } | { ok: false; message: string } {
  const parsed = schema.safeParse(value, { error: (issue) => describeContractIssue(issue, prefix) });
  if (parsed.success) return { ok: true, value: parsed.data };
  const [first] = [...parsed.error.issues].sort(
    (a, b) =>
      a.path.length - b.path.length ||
      Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  return { ok: false, message: first?.message ?? 'The input is invalid.' };
}
