import type { Logger } from '../logging/logger.js';
import {
  DISPATCH_KICK_MIN_GAP_MS,
  type DispatchOptions,
  type DispatchRound,
  dispatchRound,
} from './fair-dispatcher.js';
import { PeriodicRunner } from './periodic-runner.js';

/**
 * While the last round found every worker slot taken, a new task kicks a round at most this often. Such a
 * round cannot dispatch anything until a slot frees, and whatever frees one (a job ending, recovery) kicks at
 * once; this gap only bounds how long a slot freed just before the round read it can stay unseen. Without it,
 * a flood of POSTs against busy workers ran a useless transaction every DISPATCH_KICK_MIN_GAP_MS, which cost
 * POST /v2/tasks a quarter of its throughput (docs/benchmarks.md, API table).
 */
export const DISPATCH_FULL_KICK_GAP_MS = 100;

/**
 * A round that found another replica's round holding the dispatch lock runs again this much later (any kick in
 * between serves instead). Longer than DISPATCH_KICK_MIN_GAP_MS so that replicas kicking at once do not trade
 * back-to-back rounds that dispatch nothing.
 */
export const DISPATCH_LOCKED_OUT_RETRY_MS = 100;

export interface DispatcherRunnerOptions extends DispatchOptions {
  db: Parameters<typeof dispatchRound>[0];
  logger: Logger;
  /** The timer between kicks (DISPATCH_INTERVAL_MS). */
  intervalMs: number;
  /** DISPATCH_FULL_KICK_GAP_MS unless set. */
  fullKickGapMs?: number;
  /** Called after every round this process ran (the API wakes its outbox relay when it dispatched). */
  onRound?: (round: DispatchRound) => void;
}

/**
 * The fair dispatcher as every process runs it (the API on its timer and after each POST, the worker after each
 * job): one round at a time per process, kicks coalesced to one round per DISPATCH_KICK_MIN_GAP_MS (per
 * DISPATCH_FULL_KICK_GAP_MS for new tasks while every slot is taken), the next round at once when one stopped at
 * DISPATCH_ROUND_MAX_TASKS, and a failed round logged and retried on the next kick.
 */
export class DispatcherRunner {
  private readonly runner: PeriodicRunner;
  /** The last round this process ran found no free slot. */
  private full = false;
  private readonly fullKickGapMs: number;

  constructor(options: DispatcherRunnerOptions) {
    const { db, logger, onRound } = options;
    this.fullKickGapMs = options.fullKickGapMs ?? DISPATCH_FULL_KICK_GAP_MS;
    const dispatchOptions: DispatchOptions = {
      defaultMaxActive: options.defaultMaxActive,
      heartbeatTtlMs: options.heartbeatTtlMs,
    };
    this.runner = new PeriodicRunner(
      async () => {
        try {
          const round = await dispatchRound(db, dispatchOptions);
          if (round.locked) this.full = round.capacity - round.busy - round.dispatched.length <= 0;
          onRound?.(round);
          if (round.more)
            this.runner.kick(); // the next batch as soon as this run ends
          // Lock held elsewhere: that round may have read the slots before whatever kicked this one (a job that
          // just ended), so look again; without this a freed slot could stay unseen until the next timer tick.
          else if (!round.locked) this.runner.kick(DISPATCH_LOCKED_OUT_RETRY_MS);
        } catch (error) {
          logger.warn({ err: error }, 'dispatcher: round failed; will retry');
        }
      },
      options.intervalMs,
      DISPATCH_KICK_MIN_GAP_MS,
    );
  }

  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** A slot may be free (a job ended, a task was requeued or failed, a worker started): a round soon. */
  kick(): void {
    this.runner.kick();
  }

  /** A new task is pending: a round soon, unless the last one found every slot taken (see DISPATCH_FULL_KICK_GAP_MS). */
  taskQueued(): void {
    this.runner.kick(this.full ? this.fullKickGapMs : DISPATCH_KICK_MIN_GAP_MS);
  }
}
