import { importLocationProblem } from '@cloud-images/shared';
import { InvalidRequestError } from '../domain-errors.js';

/**
 * The part of the `import_from` rule the contract cannot check alone: the container must still be a valid bucket
 * name once the caller's bucket prefix is prepended. Anything else about the body is the contract's business, so a
 * body that is not an import (or not even an object) passes through untouched.
 */
export function assertImportLocationFitsTenant(bucketPrefix: string, body: unknown): void {
  const input = (body as { type?: unknown; input?: { import_from?: unknown } } | undefined) ?? {};
  const importFrom = input.input?.import_from;
  // Values the contract rejects on its own are left to it, so its message (and its order of checks) wins.
  if (input.type !== 'import' || typeof importFrom !== 'string' || importFrom === '') return;
  if (importLocationProblem(importFrom) !== undefined) return;
  const problem = importLocationProblem(importFrom, bucketPrefix);
  if (problem) throw new InvalidRequestError(`Invalid 'input.import_from': ${problem}`);
}
