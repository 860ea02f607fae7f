import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, MiB, parseLoadArgs, parseMix, UsageError } from './options.js';

describe('parseMix', () => {
  it('reads the default mix', () => {
    expect(parseMix(DEFAULT_MIX)).toEqual([
      { kind: 'dynamic', sizeBytes: 64 * MiB, weight: 80 },
      { kind: 'fixed', sizeBytes: 256 * MiB, weight: 15 },
      { kind: 'export', sizeBytes: 64 * MiB, weight: 5 },
    ]);
  });

  it('rejects an unknown kind or a bad size', () => {
    expect(() => parseMix('qcow2:1G:10')).toThrow(/must be dynamic/);
    expect(() => parseMix('dynamic:64X:10')).toThrow(/size "64X"/);
  });
});

describe('parseLoadArgs', () => {
  it('refuses --chaos in external mode with a reason', () => {
    expect(() => parseLoadArgs(['--api-url', 'http://x', '--chaos'])).toThrow(UsageError);
    expect(() => parseLoadArgs(['--api-url', 'http://x', '--chaos'])).toThrow(/--chaos needs owned mode/);
  });

  it('takes the phases, tenants, tasks and chaos subset', () => {
    const parsed = parseLoadArgs([
      '--workers',
      '1,2',
      '--tenants',
      '2',
      '--tasks',
      '20',
      '--chaos-events',
      'worker-sigkill',
    ]);
    expect(parsed.help).toBe(false);
    if (parsed.help) return;
    expect(parsed.options).toMatchObject({
      workers: [1, 2],
      tenants: 2,
      tasks: 20,
      chaos: ['worker-sigkill'],
    });
  });
});
