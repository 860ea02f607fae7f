import { describe, expect, it } from 'vitest';
import { jainIndex, LatencyHistogram } from './stats.js';

describe('jainIndex', () => {
  it('is 1 for equal shares and 1/n when one tenant gets everything', () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([8, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([3, 1])).toBeCloseTo(16 / 20);
  });
});

describe('LatencyHistogram', () => {
  it('gives percentiles of the recorded values', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    const p = h.percentiles();
    expect(p.count).toBe(100);
    expect(p.p50).toBe(50);
    expect(p.p99).toBe(99);
    expect(p.max).toBe(100);
  });
});
