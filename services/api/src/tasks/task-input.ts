import { createHash } from 'node:crypto';
import type { TaskType } from '@cloud-images/shared';
import { z } from 'zod';
import { describeZodIssue } from '../http/describe-zod-issue.js';
import { BadRequest } from '../http/errors.js';

const importInput = z.strictObject({
  import_from: z.string().min(1).max(1024),
  // Loose on purpose: keys besides `name` are not a 400 but a task that fails with a documented message.
  image_properties: z.looseObject({ name: z.string().min(1).max(255) }),
});

const exportInput = z.strictObject({
  image_uuid: z.uuid(),
  // Forbidden characters ('/', '?', '.') are a task failure by contract, reported by the worker, not a 400.
  receiving_swift_container: z.string().min(1).max(256),
  /** Our extension: the VHD type to write; the worker defaults to dynamic. */
  format: z.enum(['dynamic', 'fixed']).optional(),
});

const inputSchemas = { import: importInput, export: exportInput } as const;
const TASK_TYPES = Object.keys(inputSchemas) as TaskType[];
const TOP_LEVEL_KEYS = ['type', 'input'];

export interface ValidTaskRequest {
  type: TaskType;
  input: Record<string, unknown>;
  /** True when an import names image properties besides `name`: the task is created already failed. */
  hasUnsupportedImageProperty: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a POST /v2/tasks body. Every problem is a 400 whose message names it. The checks run in the order a
 * reader would fix them: body shape, top-level keys, `type`, `input`, then the fields of the input.
 */
export function parseTaskRequest(body: unknown): ValidTaskRequest {
  if (body === undefined) throw new BadRequest('The request body is empty; expected a JSON object.');
  if (!isPlainObject(body)) throw new BadRequest('The request body must be a JSON object.');
  const extra = Object.keys(body).filter((key) => !TOP_LEVEL_KEYS.includes(key));
  if (extra.length > 0) {
    throw new BadRequest(`Unexpected key(s) in the request body: ${extra.map((k) => `'${k}'`).join(', ')}.`);
  }
  const { type, input } = body;
  if (type === undefined) throw new BadRequest("Missing required field 'type'.");
  if (typeof type !== 'string' || !TASK_TYPES.includes(type as TaskType)) {
    throw new BadRequest(`Unknown task type ${JSON.stringify(type)}; expected 'import' or 'export'.`);
  }
  if (input === undefined) throw new BadRequest("Missing required field 'input'.");
  if (!isPlainObject(input)) throw new BadRequest("'input' must be a JSON object.");
  const parsed = inputSchemas[type as TaskType].safeParse(input);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    throw new BadRequest(first ? describeZodIssue(first, input, ['input']) : "'input' is invalid.");
  }
  const properties = (input as { image_properties?: Record<string, unknown> }).image_properties;
  return {
    type: type as TaskType,
    input,
    hasUnsupportedImageProperty:
      type === 'import' && properties !== undefined && Object.keys(properties).some((key) => key !== 'name'),
  };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of the body with keys sorted: a replay with reordered keys is still "the same body". */
export function requestHash(request: Pick<ValidTaskRequest, 'type' | 'input'>): string {
  return createHash('sha256')
    .update(canonicalJson({ type: request.type, input: request.input }))
    .digest('hex');
}

/** `Idempotency-Key`: optional; when present, 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new BadRequest('The Idempotency-Key header must be 1 to 255 visible ASCII characters.');
  }
  return header;
}
