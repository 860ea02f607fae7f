import type { TaskStatus } from '../db/schema.js';

/**
 * The task state machine (Glance v2 / Rackspace):
 *   pending → processing | failure;  processing → success | failure;  success and failure are terminal.
 */
const transitions: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['processing', 'failure'],
  processing: ['success', 'failure'],
  success: [],
  failure: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return transitions[from].includes(to);
}

export function isTerminal(status: TaskStatus): boolean {
  return transitions[status].length === 0;
}

/** The statuses from which a move to `to` is legal; repositories use it in compare-and-set updates. */
export function statusesAllowedBefore(to: TaskStatus): TaskStatus[] {
  return (Object.keys(transitions) as TaskStatus[]).filter((from) => canTransition(from, to));
}
