import * as hdr from 'hdr-histogram-js';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

/** Milliseconds in an HDR histogram (3 significant digits, auto-resizing): percentiles without keeping samples. */
export class LatencyHistogram {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  record(ms: number): void {
    // The histogram holds integers; sub-millisecond values count as 1 ms rather than vanishing.
    this.histogram.recordValue(Math.max(1, Math.round(ms)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0, count: 0 };
    return {
      p50: h.getValueAtPercentile(50),
      p95: h.getValueAtPercentile(95),
      p99: h.getValueAtPercentile(99),
      max: h.maxValue,
      count: h.totalCount,
    };
  }
}

/**
 * Jain's fairness index of per-tenant throughputs: (Σx)² / (n·Σx²), 1 when every tenant got the same share,
 * 1/n when one tenant got everything.
 */
export function jainIndex(values: number[]): number {
  if (values.length === 0) return 1;
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
