export { TaskMessage } from './task-messages.js';
export { canTransition, isTerminal, statusesAllowedBefore } from './task-status.js';
