import { z } from 'zod';
import { importLocationProblem, uuid } from './rules.js';

export const TASK_TYPES = ['import', 'export'] as const;

/** The input of an import task (seed 001). */
export const importTaskInput = z.strictObject({
  import_from: z
    .string()
    .min(1)
    .max(1024)
    .superRefine((value, ctx) => {
      // The tenant's bucket prefix shortens the container limit further; the API checks that with the tenant.
      const problem = value === '' ? undefined : importLocationProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `Invalid 'input.import_from': ${problem}` });
    })
    .meta({
      description: '<container>/<object> in the caller’s account; a valid container and a non-empty object',
    }),
  // Loose on purpose: keys besides `name` are not a 400 but a task that fails with a documented message.
  image_properties: z.looseObject({ name: z.string().min(1).max(255) }).meta({
    description: 'Keys besides name: 201, then the task fails with the documented message',
  }),
});
export type ImportTaskInput = z.infer<typeof importTaskInput>;

/** The input of an export task (seed 002). */
export const exportTaskInput = z.strictObject({
  image_uuid: uuid,
  // Forbidden characters ('/', '?', '.') are a task failure by contract, reported by the worker, not a 400.
  receiving_swift_container: z.string().min(1).max(256),
  format: z
    .enum(['dynamic', 'fixed'])
    .optional()
    .meta({ description: 'This service’s extension: the VHD type to write (default dynamic)' }),
});
export type ExportTaskInput = z.infer<typeof exportTaskInput>;

export const taskInputSchemas = { import: importTaskInput, export: exportTaskInput } as const;

/**
 * The body of POST /v2/tasks. The discriminator's own message names the unknown type, as Glance does;
 * a missing `type` falls through to the generic "Missing required field" text.
 */
export const taskCreateBody = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('import'), input: importTaskInput }),
    z.strictObject({ type: z.literal('export'), input: exportTaskInput }),
  ],
  {
    error: (issue) => {
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      if (issue.code !== 'invalid_union' || type === undefined) return undefined;
      return `Unknown task type ${JSON.stringify(type)}; expected ${TASK_TYPES.map((t) => `'${t}'`).join(' or ')}.`;
    },
  },
);
export type TaskCreateBody = z.infer<typeof taskCreateBody>;
