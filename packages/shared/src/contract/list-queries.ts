import { z } from 'zod';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export const TASK_SORT_KEYS = ['created_at', 'updated_at', 'id', 'type', 'status'] as const;
export const IMAGE_SORT_KEYS = ['created_at', 'updated_at', 'name', 'id', 'status', 'size'] as const;
export const SORT_DIRS = ['asc', 'desc'] as const;
export type SortDir = (typeof SORT_DIRS)[number];

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A query parameter restricted to `values`, whose 400 names the parameter, the value and the choices. */
function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, {
    error: (issue) => `Invalid ${name} '${String(issue.input)}'; expected one of ${quoted(values)}.`,
  });
}

/**
 * `limit`: an integer from 1 to 100 for tasks (the contract's 400). Images serve a larger limit as 100, as
 * Glance does, because glanceclient's image-list always asks for 200.
 */
function limitParam(aboveMax: 'reject' | 'clamp') {
  const range = aboveMax === 'reject' ? `from 1 to ${MAX_LIMIT}` : 'of at least 1';
  const message = (issue: { input?: unknown }) =>
    `Invalid limit '${String(issue.input)}'; expected an integer ${range}.`;
  return z
    .string()
    .regex(/^\d{1,9}$/, { error: message })
    .refine((v) => Number(v) >= 1 && (aboveMax === 'clamp' || Number(v) <= MAX_LIMIT), { error: message })
    .optional()
    .meta({
      description:
        aboveMax === 'reject'
          ? `An integer from 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`
          : `An integer; above ${MAX_LIMIT} is served as ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
    });
}

const listParams = <const K extends readonly [string, ...string[]]>(
  sortKeys: K,
  aboveMax: 'reject' | 'clamp',
) => ({
  limit: limitParam(aboveMax),
  marker: z
    .guid({
      error: (issue) =>
        `Invalid marker '${String(issue.input)}'; expected the id (a UUID) of an item in the list.`,
    })
    .optional()
    .meta({ description: 'Id of the last item seen' }),
  sort_key: oneOf('sort_key', sortKeys).default(sortKeys[0]),
  sort_dir: oneOf('sort_dir', SORT_DIRS).default('desc'),
});

/** Unknown parameters are 400s, so a typo never silently returns the wrong page. */
const unknownParameter = (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? `Unknown query parameter '${issue.keys?.[0]}'.` : undefined;

export const TASK_STATUSES = ['pending', 'processing', 'success', 'failure'] as const;
export const IMAGE_LIST_STATUSES = ['queued', 'saving', 'active', 'killed'] as const;

/** GET /v2/tasks */
export const taskListQuery = z.strictObject(
  {
    ...listParams(TASK_SORT_KEYS, 'reject'),
    status: oneOf('status', TASK_STATUSES).optional(),
    type: oneOf('type', ['import', 'export']).optional(),
  },
  { error: unknownParameter },
);
export type TaskListQuery = z.infer<typeof taskListQuery>;

const sizeParam = (name: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, {
      error: (issue) => `Invalid ${name} '${String(issue.input)}'; expected a size in bytes.`,
    })
    .transform(Number)
    .optional();

/**
 * GET /v2/images. `tag` may be repeated (AND), so it is taken out of the query string before this schema sees the
 * rest; here it is one value.
 */
export const imageListQuery = z.strictObject(
  {
    ...listParams(IMAGE_SORT_KEYS, 'clamp'),
    status: oneOf('status', IMAGE_LIST_STATUSES).optional(),
    name: z.string().max(255).optional(),
    owner: z.string().max(255).optional(),
    visibility: oneOf('visibility', ['private', 'shared']).optional(),
    member_status: oneOf('member_status', ['pending', 'accepted', 'rejected', 'all']).default('accepted'),
    size_min: sizeParam('size_min'),
    size_max: sizeParam('size_max'),
  },
  { error: unknownParameter },
);
export type ImageListQuery = z.infer<typeof imageListQuery>;
