export { TaskMessage } from './task-messages.js';
export { type TaskFailure, TaskOutcomeWriter } from './task-outcome.js';
export { canTransition, isTerminal, statusesAllowedBefore } from './task-status.js';
