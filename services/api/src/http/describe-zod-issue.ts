import type { z } from 'zod';

type Issue = z.ZodError['issues'][number];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Turns a zod issue into a message that names the field and the problem, e.g.
 * "Missing required field 'input.import_from'." or "'limit' must be an integer between 1 and 100.".
 * `prefix` is prepended to the issue path so nested schemas report full paths.
 */
export function describeZodIssue(issue: Issue, root: unknown, prefix: readonly string[] = []): string {
  const path = [...prefix, ...issue.path.map(String)];
  const field = path.length > 0 ? `'${path.join('.')}'` : 'the request body';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Unexpected key(s) in ${field}: ${issue.keys.map((k) => `'${k}'`).join(', ')}.`;
    case 'invalid_type': {
      const value = valueAt(root, issue.path);
      if (value === undefined) return `Missing required field ${field}.`;
      return `${field} must be of type ${issue.expected}, not ${jsonTypeOf(value)}.`;
    }
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? `${field} must not be empty.`
        : `${field} is too small: ${issue.message}.`;
    case 'too_big':
      return `${field} is too large: ${issue.message}.`;
    case 'invalid_format':
      return issue.format === 'uuid'
        ? `${field} must be a UUID.`
        : `${field} must be a valid ${issue.format}.`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}.`;
    default:
      return `${field}: ${issue.message}.`;
  }
}
