import { z } from 'zod';

/**
 * Every error the API answers, whatever the status. Nested under one key, as OpenStack services do:
 * python-glanceclient reads `message` from every top-level value of an error body, so a flat
 * `{code, title, message}` makes the client crash instead of printing it.
 */
export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.int(), title: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof errorBody>;
