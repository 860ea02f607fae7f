import {
  ForbiddenError,
  InvalidRequestError,
  LimitExceededError,
  ResourceConflictError,
} from '../domain-errors.js';
import { IMAGE_LIMITS } from './image-limits.js';
import { checkTag } from './image-tags.js';

/** The attributes of an image its owner may change, as a PATCH sees them. */
export interface EditableImage {
  name: string | null;
  tags: string[];
  min_disk: number;
  min_ram: number;
  visibility: string;
  protected: boolean;
  disk_format: string;
  container_format: string;
  properties: Record<string, string>;
}

export const PATCH_MEDIA_TYPES = {
  v21: 'application/openstack-images-v2.1-json-patch',
  v20: 'application/openstack-images-v2.0-json-patch',
} as const;

interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string[];
  value?: unknown;
}

/** Attributes no PATCH may touch: computed by the service, or Glance's reserved names. */
const READ_ONLY = new Set([
  'id',
  'status',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'created_at',
  'updated_at',
  'file',
  'self',
  'schema',
  'direct_url',
  'locations',
  'deleted',
  'deleted_at',
  'os_hidden',
]);
const CORE = new Set([
  'name',
  'tags',
  'min_disk',
  'min_ram',
  'visibility',
  'protected',
  'disk_format',
  'container_format',
]);
const OPS = ['add', 'replace', 'remove'] as const;

/** RFC 6901: "/a~1b" is the key "a/b". */
function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/') {
    throw new InvalidRequestError(`Invalid JSON pointer '${String(path)}': expected '/<attribute>'.`);
  }
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Both media types' bodies as one list: RFC 6902 objects (v2.1) or Glance's `{"replace": "/name"}` (v2.0). */
export function parsePatch(body: unknown, mediaType: string): PatchOp[] {
  if (!Array.isArray(body))
    throw new InvalidRequestError('A JSON-Patch body must be a JSON array of operations.');
  return body.map((raw): PatchOp => {
    if (typeof raw !== 'object' || raw === null)
      throw new InvalidRequestError('Each patch operation must be a JSON object.');
    const entry = raw as Record<string, unknown>;
    let op: unknown;
    let path: unknown;
    if (mediaType === PATCH_MEDIA_TYPES.v21) {
      op = entry.op;
      path = entry.path;
    } else {
      const named = OPS.filter((name) => name in entry);
      if (named.length !== 1)
        throw new InvalidRequestError(
          "Each operation must name exactly one of 'add', 'replace' or 'remove'.",
        );
      op = named[0];
      path = entry[named[0] as string];
    }
    if (!OPS.includes(op as PatchOp['op'])) {
      throw new InvalidRequestError(
        `Unsupported patch operation '${String(op)}'; expected add, replace or remove.`,
      );
    }
    if (op !== 'remove' && !('value' in entry))
      throw new InvalidRequestError(`The '${String(op)}' operation needs a 'value'.`);
    return { op: op as PatchOp['op'], path: pointer(path), value: entry.value };
  });
}

const nonNegativeInt = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(`'${name}' must be a non-negative integer.`);
  }
  return value;
};

/** The value a core attribute takes, checked; `undefined` (a remove) restores its default. */
function coreValue(name: string, value: unknown, active: boolean): Partial<EditableImage> {
  switch (name) {
    case 'name':
      if (
        value !== undefined &&
        value !== null &&
        (typeof value !== 'string' || value.length > IMAGE_LIMITS.nameLength)
      ) {
        throw new InvalidRequestError(
          `'name' must be a string of at most ${IMAGE_LIMITS.nameLength} characters, or null.`,
        );
      }
      return { name: (value as string | null | undefined) ?? null };
    case 'min_disk':
    case 'min_ram':
      return { [name]: value === undefined ? 0 : nonNegativeInt(name, value) };
    case 'protected':
      if (value !== undefined && typeof value !== 'boolean')
        throw new InvalidRequestError("'protected' must be true or false.");
      return { protected: value ?? false };
    case 'visibility':
      if (value === 'public' || value === 'community') {
        throw new ForbiddenError(`Tenants may not make an image '${value}'.`);
      }
      if (value !== undefined && value !== 'private' && value !== 'shared') {
        throw new InvalidRequestError(
          `Invalid visibility '${String(value)}'; expected 'private' or 'shared'.`,
        );
      }
      return { visibility: (value as string | undefined) ?? 'shared' };
    case 'tags':
      if (value !== undefined && !Array.isArray(value))
        throw new InvalidRequestError("'tags' must be an array of strings.");
      return { tags: [...new Set(((value ?? []) as unknown[]).map(checkTag))] };
    default: {
      // disk_format / container_format: fixed once the image has data, and this service stores only VHDs.
      if (active) throw new ForbiddenError(`Attribute '${name}' can be only replaced for a queued image.`);
      const allowed = name === 'disk_format' ? 'vhd' : 'bare';
      if (value !== allowed) throw new InvalidRequestError(`'${name}' must be '${allowed}'.`);
      return { [name]: value } as Partial<EditableImage>;
    }
  }
}

/** One operation on the tags list itself: `/tags/-` appends, `/tags/<n>` addresses an element. */
function tagElementOp(tags: string[], op: PatchOp): string[] {
  const [, index, ...rest] = op.path;
  const next = [...tags];
  const at = index === '-' ? next.length : /^\d+$/.test(index ?? '') ? Number(index) : Number.NaN;
  const limit = op.op === 'add' ? next.length : next.length - 1;
  if (rest.length > 0 || !(at <= limit) || (index === '-' && op.op !== 'add')) {
    throw new ResourceConflictError(`No element at '/${op.path.join('/')}'.`);
  }
  if (op.op === 'remove') next.splice(at, 1);
  else next.splice(at, op.op === 'add' ? 0 : 1, checkTag(op.value));
  return [...new Set(next)];
}

function propertyOp(properties: Record<string, string>, op: PatchOp): Record<string, string> {
  const [key = ''] = op.path;
  if (op.path.length > 1)
    throw new InvalidRequestError(`Invalid path '/${op.path.join('/')}': custom properties are strings.`);
  if (key.length === 0 || key.length > IMAGE_LIMITS.propertyKeyLength) {
    throw new InvalidRequestError(
      `A property name must be 1 to ${IMAGE_LIMITS.propertyKeyLength} characters.`,
    );
  }
  const next = { ...properties };
  if (op.op !== 'add' && !(key in next)) throw new ResourceConflictError(`Property ${key} does not exist.`);
  if (op.op === 'remove') {
    delete next[key];
    return next;
  }
  if (typeof op.value !== 'string') throw new InvalidRequestError(`Property '${key}' must be a string.`);
  if (Buffer.byteLength(op.value) > IMAGE_LIMITS.propertyValueBytes) {
    throw new InvalidRequestError(
      `Property '${key}' is longer than ${IMAGE_LIMITS.propertyValueBytes} bytes.`,
    );
  }
  next[key] = op.value;
  if (Object.keys(next).length > IMAGE_LIMITS.properties) {
    throw new LimitExceededError(`An image may have at most ${IMAGE_LIMITS.properties} properties.`);
  }
  return next;
}

/**
 * Applies a parsed patch to an image, all or nothing, with Glance's answers: read-only attributes 403, a replace
 * or remove of a missing property 409, bad values 400, limits 413. A remove of a core attribute restores its
 * default (Glance forbids it; the issue asks for it, and a default is what a client removing it means).
 */
export function applyImagePatch(image: EditableImage, ops: PatchOp[], active: boolean): EditableImage {
  let next: EditableImage = { ...image, tags: [...image.tags], properties: { ...image.properties } };
  for (const op of ops) {
    const [root = ''] = op.path;
    if (READ_ONLY.has(root)) throw new ForbiddenError(`Attribute '${root}' is read-only.`);
    if (root === 'tags' && op.path.length > 1) {
      next = { ...next, tags: tagElementOp(next.tags, op) };
    } else if (CORE.has(root)) {
      if (op.path.length > 1) throw new InvalidRequestError(`Invalid path '/${op.path.join('/')}'.`);
      next = { ...next, ...coreValue(root, op.op === 'remove' ? undefined : op.value, active) };
    } else {
      next = { ...next, properties: propertyOp(next.properties, op) };
    }
  }
  if (next.tags.length > IMAGE_LIMITS.tags) {
    throw new LimitExceededError(`An image may have at most ${IMAGE_LIMITS.tags} tags.`);
  }
  return next;
}
