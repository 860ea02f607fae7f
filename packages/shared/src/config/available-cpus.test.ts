import { describe, expect, it } from 'vitest';
import { availableCpus, parseCpuMax } from './available-cpus.js';

describe('parseCpuMax', () => {
  it('reads "max" as no limit', () => {
    expect(parseCpuMax('max 100000\n')).toBeNull();
  });

  it('divides the quota by the period, rounding down, at least 1', () => {
    expect(parseCpuMax('200000 100000\n')).toBe(2);
    expect(parseCpuMax('150000 100000')).toBe(1);
    expect(parseCpuMax('50000 100000')).toBe(1);
    expect(parseCpuMax('400000 50000')).toBe(8);
  });

  it('takes the default period when only a quota is written', () => {
    expect(parseCpuMax('300000')).toBe(3);
  });

  it('rejects text that is not a quota', () => {
    expect(parseCpuMax('')).toBeNull();
    expect(parseCpuMax('lots 100000')).toBeNull();
    expect(parseCpuMax('-1 100000')).toBeNull();
  });
});

describe('availableCpus', () => {
  it('follows the cgroup quota when it is below the CPUs of the machine', () => {
    expect(availableCpus({ readCpuMax: () => '100000 100000', parallelism: () => 64 })).toBe(1);
  });

  it('never exceeds the CPUs the OS gives the process', () => {
    expect(availableCpus({ readCpuMax: () => '1600000 100000', parallelism: () => 4 })).toBe(4);
  });

  it('falls back to os.availableParallelism() without a limit', () => {
    expect(availableCpus({ readCpuMax: () => 'max 100000', parallelism: () => 6 })).toBe(6);
  });

  it('falls back when the file is missing (cgroup v1, macOS)', () => {
    const missing = () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(availableCpus({ readCpuMax: missing, parallelism: () => 3 })).toBe(3);
  });

  it('reads the real file or falls back, giving at least 1', () => {
    expect(availableCpus()).toBeGreaterThanOrEqual(1);
  });
});
