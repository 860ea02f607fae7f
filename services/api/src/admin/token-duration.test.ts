import { describe, expect, it } from 'vitest';
import { durationProblem, parseLifetime } from './token-duration.js';

describe('token durations', () => {
  it('reads d, h, m and s, and never where it is allowed', () => {
    expect(parseLifetime('90d')).toBe(90 * 86_400_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseLifetime('30m')).toBe(30 * 60_000);
    expect(parseLifetime('2s')).toBe(2_000);
    expect(parseLifetime('never')).toBeNull();
    expect(durationProblem('never', { allowNever: true })).toBeUndefined();
    expect(durationProblem('0s', { allowNever: false })).toBeUndefined();
  });

  it('names what is wrong with anything else', () => {
    expect(durationProblem('never', { allowNever: false })).toMatch(/'never' is not allowed/);
    for (const bad of ['90', 'd', '1.5h', '-2s', '2 s', '2w', '', '1H']) {
      expect(durationProblem(bad, { allowNever: true }), bad).toMatch(/is not a duration/);
    }
    expect(durationProblem('99999999d', { allowNever: true })).toMatch(/longer than 100 years/);
  });
});
