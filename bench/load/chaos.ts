import type { ChaosKind } from './options.js';
import type { ChaosControls } from './system.js';

export interface ChaosEvent {
  kind: ChaosKind;
  /** The phase (its worker count) the event hit. */
  workers: number;
  at: string;
  /** From the event's start until the service answered again (the restarted worker ready, Redis PING, …). */
  serviceMs: number;
  /**
   * From the event's start until tasks made progress again: the next task to reach a terminal state after the
   * service was back (or the phase's last task, if none was left). null: no progress within 5 minutes.
   */
  recoveredMs: number | null;
}

/** Spreads the one-off infrastructure events over the phases: event j goes to phase j mod phases. */
export function assignInfraEvents(kinds: ChaosKind[], phases: number): ChaosKind[][] {
  const infra = kinds.filter((k) => k !== 'worker-sigkill');
  const perPhase: ChaosKind[][] = Array.from({ length: phases }, () => []);
  for (const [j, kind] of infra.entries()) perPhase[j % phases]!.push(kind);
  return perPhase;
}

export interface PhaseChaosOptions {
  controls: ChaosControls;
  workers: number;
  /** The phase's one-off events: each fires when the phase is 1/(n+1), 2/(n+1)… done. */
  infra: ChaosKind[];
  killEveryMs: number | undefined;
  maxKills: number;
  random: () => number;
  /** Tasks terminal so far, and the phase's total. */
  progress: () => { done: number; total: number };
  log: (line: string) => void;
}

/**
 * Runs one phase's chaos: worker SIGKILLs every K seconds (the worker restarted at once; at least one per phase)
 * and the phase's one-off infrastructure events at progress thresholds, one event at a time. `finish()` waits for the events still owed
 * (an event whose threshold is only reached at the very end still happens) and returns what happened.
 */
export class PhaseChaos {
  readonly events: ChaosEvent[] = [];
  private stopping = false;
  private readonly loop: Promise<void>;

  constructor(private readonly o: PhaseChaosOptions) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const started = Date.now();
    let nextKill = this.o.killEveryMs === undefined ? Number.POSITIVE_INFINITY : started + this.o.killEveryMs;
    let kills = 0;
    const pending = [...this.o.infra];
    let fired = 0;
    while (pending.length > 0 || !this.stopping) {
      const { done, total } = this.o.progress();
      const threshold = ((fired + 1) / (this.o.infra.length + 1)) * total;
      if (pending.length > 0 && total > 0 && (done >= threshold || this.stopping)) {
        fired += 1;
        await this.fire(pending.shift()!);
      } else if (
        !this.stopping &&
        kills < this.o.maxKills &&
        done < total &&
        this.killDue(nextKill, kills, done, total)
      ) {
        kills += 1;
        await this.fire('worker-sigkill');
        nextKill = Date.now() + this.o.killEveryMs!;
      } else {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Every K seconds; and at least once per phase, half way, when the phase is shorter than K. */
  private killDue(nextKill: number, kills: number, done: number, total: number): boolean {
    if (this.o.killEveryMs === undefined) return false;
    return Date.now() >= nextKill || (kills === 0 && done >= total / 2);
  }

  private async fire(kind: ChaosKind): Promise<void> {
    const { controls } = this.o;
    const start = Date.now();
    const before = this.o.progress().done;
    this.o.log(
      `[load] chaos: ${kind} (phase of ${this.o.workers} worker${this.o.workers === 1 ? '' : 's'}, ${before} tasks done)`,
    );
    const act: Record<ChaosKind, () => Promise<void>> = {
      'worker-sigkill': () => controls.killRandomWorker(this.o.random),
      'redis-restart': () => controls.restartRedis(true),
      'redis-restart-empty': () => controls.restartRedis(false),
      'postgres-restart': () => controls.restartPostgres(),
      's3-restart': () => controls.restartS3(),
    };
    await act[kind]();
    const serviceMs = Date.now() - start;
    const backAt = this.o.progress().done;
    let recoveredMs: number | null = null;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const { done, total } = this.o.progress();
      if (done > backAt || done >= total) {
        recoveredMs = Date.now() - start;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.events.push({
      kind,
      workers: this.o.workers,
      at: new Date(start).toISOString(),
      serviceMs,
      recoveredMs,
    });
    this.o.log(
      `[load] chaos: ${kind} service back in ${serviceMs} ms, tasks progressing again after ${recoveredMs} ms`,
    );
  }

  async finish(): Promise<ChaosEvent[]> {
    this.stopping = true;
    await this.loop;
    return this.events;
  }
}
