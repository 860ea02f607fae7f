import { createHash } from 'node:crypto';
import {
  parseContract,
  type TaskCreateBody,
  taskCreateBody,
  unsupportedImageProperties,
} from '@cloud-images/shared';
import { InvalidRequestError } from '../domain-errors.js';

export interface ValidTaskRequest {
  body: TaskCreateBody;
  /** True when an import names image properties besides `name`: the task is created already failed. */
  hasUnsupportedImageProperty: boolean;
}

/** Validates a POST /v2/tasks body against the shared contract; every problem is an InvalidRequestError. */
export function parseTaskRequest(body: unknown): ValidTaskRequest {
  if (body === undefined) throw new InvalidRequestError('The request body is empty; expected a JSON object.');
  const parsed = parseContract(taskCreateBody, body);
  if (!parsed.ok) throw new InvalidRequestError(parsed.message);
  return {
    body: parsed.value,
    hasUnsupportedImageProperty:
      parsed.value.type === 'import' &&
      unsupportedImageProperties(parsed.value.input.image_properties).length > 0,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
export function requestHash(body: TaskCreateBody): string {
  return createHash('sha256')
    .update(canonicalJson({ type: body.type, input: body.input }))
    .digest('hex');
}

/** `Idempotency-Key`: optional; when present, 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new InvalidRequestError('The Idempotency-Key header must be 1 to 255 visible ASCII characters.');
  }
  return header;
}
