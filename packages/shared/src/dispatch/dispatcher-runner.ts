import type { Logger } from '../logging/logger.js';
import {
  DISPATCH_KICK_MIN_GAP_MS,
  type DispatchOptions,
  type DispatchRound,
  dispatchRound,
} from './fair-dispatcher.js';
import { PeriodicRunner } from './periodic-runner.js';

export interface DispatcherRunnerOptions extends DispatchOptions {
  db: Parameters<typeof dispatchRound>[0];
  logger: Logger;
  /** The timer between kicks (DISPATCH_INTERVAL_MS). */
  intervalMs: number;
  /** Called after a round that dispatched something (the API wakes its outbox relay). */
  onDispatched?: (round: DispatchRound) => void;
}

/**
 * The fair dispatcher as every process runs it (the API on its timer and after each POST, the worker after each
 * job): one round at a time per process, kicks coalesced to one round per DISPATCH_KICK_MIN_GAP_MS, the next round
 * at once when one stopped at DISPATCH_ROUND_MAX_TASKS, and a failed round logged and retried on the next kick.
 */
export function createDispatcherRunner(options: DispatcherRunnerOptions): PeriodicRunner {
  const { db, logger, onDispatched } = options;
  const dispatchOptions: DispatchOptions = {
    defaultMaxActive: options.defaultMaxActive,
    heartbeatTtlMs: options.heartbeatTtlMs,
  };
  const runner = new PeriodicRunner(
    async () => {
      try {
        const round = await dispatchRound(db, dispatchOptions);
        if (round.dispatched.length > 0) onDispatched?.(round);
        if (round.more) runner.kick(); // the next batch as soon as this run ends
      } catch (error) {
        logger.warn({ err: error }, 'dispatcher: round failed; will retry');
      }
    },
    options.intervalMs,
    DISPATCH_KICK_MIN_GAP_MS,
  );
  return runner;
}
