import { Transform, type TransformCallback } from 'node:stream';
import type { TaskProgress } from '@cloud-images/shared';

export type ProgressWriter = (progress: TaskProgress) => Promise<void>;

/**
 * Tracks a task's stage and byte counts and writes them at most once per interval.
 * Writes never overlap and never fail the task: progress is advisory, so errors go to `onError` only.
 */
export class ProgressReporter {
  private stage = 'queued';
  private bytesDone = 0;
  private bytesTotal: number | null = null;
  /** Starts at creation: the claim that precedes the reporter already told clients the task is processing. */
  private lastWriteAt: number;
  private inFlight: Promise<void> | null = null;
  /** Bytes streamed over every stage of this run (for metrics). */
  streamedBytes = 0;
  /** Told each stage's size as soon as it is known (the job deadline scales with it). */
  onStageSize: (bytesTotal: number) => void = () => {};

  constructor(
    private readonly write: ProgressWriter,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.lastWriteAt = now();
  }

  /**
   * Enters a new stage. Written like any progress, at most once per interval: a task that ends within one
   * interval writes its progress once, at the final flush, instead of once per stage (the control-plane bench's
   * tiny imports spent two of their statements on stages nobody could have seen).
   */
  startStage(stage: string, bytesTotal: number | null): void {
    this.stage = stage;
    this.bytesDone = 0;
    this.bytesTotal = bytesTotal;
    if (bytesTotal !== null) this.onStageSize(bytesTotal);
    this.maybeWrite(false);
  }

  advance(bytes: number): void {
    this.bytesDone += bytes;
    this.streamedBytes += bytes;
    this.maybeWrite(false);
  }

  snapshot(): TaskProgress {
    const { bytesTotal, bytesDone } = this;
    const percent =
      bytesTotal && bytesTotal > 0 ? Math.min(100, Math.floor((bytesDone / bytesTotal) * 1000) / 10) : null;
    return {
      stage: this.stage,
      bytesDone,
      bytesTotal,
      percent,
      updatedAt: new Date(this.now()).toISOString(),
    };
  }

  /** Waits for the write in flight, then writes the latest state. */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    this.maybeWrite(true);
    if (this.inFlight) await this.inFlight;
  }

  /** A pass-through stream that counts the bytes flowing through it. */
  counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        this.advance(chunk.length);
        callback(null, chunk);
      },
    });
  }

  private maybeWrite(force: boolean): void {
    if (this.inFlight) return;
    const now = this.now();
    if (!force && now - this.lastWriteAt < this.intervalMs) return;
    this.lastWriteAt = now;
    this.inFlight = this.write(this.snapshot())
      .catch(this.onError)
      .finally(() => {
        this.inFlight = null;
      });
  }
}
