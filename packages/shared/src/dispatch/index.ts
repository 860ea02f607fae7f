export {
  DISPATCH_FULL_KICK_GAP_MS,
  DISPATCH_LOCKED_OUT_RETRY_MS,
  DispatcherRunner,
  type DispatcherRunnerOptions,
} from './dispatcher-runner.js';
export {
  DISPATCH_KICK_MIN_GAP_MS,
  DISPATCH_ROUND_MAX_TASKS,
  type DispatchedTask,
  type DispatchOptions,
  type DispatchRound,
  dispatchRound,
  OUTBOX_NOTIFY_CHANNEL,
} from './fair-dispatcher.js';
export { PeriodicRunner } from './periodic-runner.js';
export { recoverStaleTasks, type StaleTaskRecovery } from './task-recovery.js';
