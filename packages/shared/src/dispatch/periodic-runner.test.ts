import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicRunner } from './periodic-runner.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A runner on a one-minute timer (so only kicks run it) that counts its runs. */
function countingRunner(minGapMs: number) {
  let count = 0;
  const runner = new PeriodicRunner(
    async () => {
      count += 1;
    },
    60_000,
    minGapMs,
  );
  return { runner, runs: () => count };
}

describe('PeriodicRunner', () => {
  it('turns a burst of kicks into one run per minimum gap', async () => {
    vi.useFakeTimers();
    const { runner, runs } = countingRunner(20);
    runner.start();
    for (let i = 0; i < 50; i++) {
      runner.kick();
      await vi.advanceTimersByTimeAsync(1); // 50 kicks over 50 ms
    }
    await vi.advanceTimersByTimeAsync(25); // the last kick's deferred run
    // One run at 0 ms, then at most one per 20 ms: 0, 20, 40 and the deferred one at 60 ms.
    expect(runs()).toBeGreaterThanOrEqual(3);
    expect(runs()).toBeLessThanOrEqual(4);
    await runner.stop();
  });

  it('runs every kick at once without a gap, and once more for a kick during a run', async () => {
    let release: () => void = () => {};
    let runs = 0;
    const runner = new PeriodicRunner(async () => {
      runs += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    }, 60_000);
    runner.start();
    runner.kick();
    runner.kick();
    runner.kick(); // both during the first run: one rerun
    expect(runs).toBe(1);
    release();
    await vi.waitFor(() => expect(runs).toBe(2));
    release();
    await runner.stop();
    expect(runs).toBe(2);
  });

  it("waits out a kick's longer gap, and a kick with a shorter one brings the run forward", async () => {
    vi.useFakeTimers();
    const { runner, runs } = countingRunner(10);
    runner.start();
    runner.kick();
    await vi.advanceTimersByTimeAsync(1);
    runner.kick(100);
    await vi.advanceTimersByTimeAsync(49);
    expect(runs()).toBe(1); // 50 ms: the 100 ms gap holds
    runner.kick(); // its 10 ms gap has passed: at once
    await vi.advanceTimersByTimeAsync(0);
    expect(runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(runs()).toBe(2); // the longer kick was served by that run, not run again
    await runner.stop();
  });

  it('keeps the gap of a kick made during a run', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    let runs = 0;
    const runner = new PeriodicRunner(
      async () => {
        runs += 1;
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      60_000,
      10,
    );
    runner.start();
    runner.kick();
    runner.kick(100); // during the first run
    await vi.advanceTimersByTimeAsync(5);
    release();
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toBe(2);
    await runner.stop();
  });

  it('never runs a deferred kick after stop', async () => {
    vi.useFakeTimers();
    const { runner, runs } = countingRunner(100);
    runner.start();
    runner.kick();
    await vi.advanceTimersByTimeAsync(1);
    runner.kick(); // deferred by the gap
    await runner.stop();
    await vi.advanceTimersByTimeAsync(200);
    expect(runs()).toBe(1);
  });
});
