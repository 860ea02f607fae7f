import { describe, expect, it } from 'vitest';
import { parseMix } from './options.js';
import { planTasks, seededRandom } from './plan.js';

describe('planTasks', () => {
  it('splits the tasks by the mix and spreads them evenly over the tenants', () => {
    const plan = planTasks(20, 2, parseMix('dynamic:64M:80,fixed:256M:15,export:5'), seededRandom(1));
    const byKind = (kind: string) => plan.filter((t) => t.entry.kind === kind).length;
    expect([byKind('dynamic'), byKind('fixed'), byKind('export')]).toEqual([16, 3, 1]);
    expect(plan.filter((t) => t.tenantIndex === 0)).toHaveLength(10);
  });
});
