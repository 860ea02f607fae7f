import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobDeadline, JobDeadlineError } from './job-deadline.js';

afterEach(() => vi.useRealTimers());

describe('JobDeadline', () => {
  it('scales with the size: base + bytes / minimum rate', () => {
    expect(JobDeadline.forSize(60_000, 1024 * 1024, 40 * 1024 ** 3)).toBe(60_000 + 40 * 1024 * 1000);
  });

  it('fires at the base deadline while the size is unknown, with a JobDeadlineError reason', () => {
    vi.useFakeTimers();
    const deadline = new JobDeadline(1_000, 1_000);
    vi.advanceTimersByTime(999);
    expect(deadline.expired).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(JobDeadlineError);
  });

  it('re-arms from the job start when a larger size is known, never shortens', () => {
    vi.useFakeTimers();
    const deadline = new JobDeadline(1_000, 1_000);
    vi.advanceTimersByTime(500);
    deadline.sizeKnown(2_000); // 1 s + 2 s from the start
    deadline.sizeKnown(10); // smaller: ignored
    vi.advanceTimersByTime(2_499);
    expect(deadline.expired).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.expired).toBe(true);
    expect(deadline.deadlineMs).toBe(3_000);
  });
});
