import { parseContract, TaskMessage } from '@cloud-images/shared';
import type { z } from 'zod';
import { TaskFailedError } from '../errors.js';

/**
 * A task's stored input, parsed with its contract schema. The task row is the contract: a row that does not parse
 * (the API never writes one; a hand-made row might) ends the task with a message naming the problem, never a retry.
 */
export function parseStoredTaskInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = parseContract(schema, input, ['input']);
  if (!parsed.ok) throw new TaskFailedError(TaskMessage.invalidTaskInput(parsed.message), parsed.message);
  return parsed.value;
}
