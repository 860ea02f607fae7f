import type { TaskProgress } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress-reporter.js';

function setup(intervalMs = 1_000) {
  let clock = 0;
  const writes: TaskProgress[] = [];
  const reporter = new ProgressReporter(
    async (p) => {
      writes.push(p);
    },
    intervalMs,
    () => {},
    () => clock,
  );
  return { reporter, writes, tick: (ms: number) => (clock += ms) };
}

describe('ProgressReporter', () => {
  it('writes a stage at once, then at most once per interval', async () => {
    const { reporter, writes, tick } = setup();
    reporter.startStage('uploading', 1000);
    await reporter.flush();
    const afterStart = writes.length;
    for (let i = 0; i < 50; i++) {
      tick(10);
      reporter.advance(10);
      await Promise.resolve();
    }
    // 500 ms of advances inside one interval: no extra write.
    expect(writes.length).toBe(afterStart);
    tick(600);
    reporter.advance(10);
    await reporter.flush();
    const last = writes.at(-1)!;
    expect(last).toMatchObject({ stage: 'uploading', bytesDone: 510, bytesTotal: 1000, percent: 51 });
  });

  it('a task shorter than the interval writes its progress once, at the final flush', async () => {
    const { reporter, writes, tick } = setup();
    reporter.startStage('inspecting', 4096);
    tick(20);
    reporter.startStage('uploading', 4096);
    tick(20);
    reporter.advance(4096);
    await Promise.resolve();
    expect(writes).toHaveLength(0);
    await reporter.flush();
    expect(writes).toEqual([expect.objectContaining({ stage: 'uploading', bytesDone: 4096, percent: 100 })]);
  });

  it('writes a new stage once the interval has passed since the last write', async () => {
    const { reporter, writes, tick } = setup();
    tick(1_000);
    reporter.startStage('uploading', 10);
    await Promise.resolve();
    expect(writes.map((w) => w.stage)).toEqual(['uploading']);
  });

  it('reports a null percent when the total is unknown, and swallows write errors', async () => {
    const errors: unknown[] = [];
    const reporter = new ProgressReporter(
      async () => {
        throw new Error('db down');
      },
      1,
      (e) => errors.push(e),
    );
    reporter.startStage('inspecting', null);
    await reporter.flush();
    expect(reporter.snapshot().percent).toBeNull();
    expect(errors.length).toBeGreaterThan(0);
  });
});
