import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, statusesAllowedBefore } from './task-status.js';

describe('task state machine', () => {
  it('allows exactly the documented transitions', () => {
    const legal = [
      ['pending', 'processing'],
      ['pending', 'failure'],
      ['processing', 'success'],
      ['processing', 'failure'],
    ];
    const all = ['pending', 'processing', 'success', 'failure'] as const;
    for (const from of all) {
      for (const to of all) {
        expect(canTransition(from, to), `${from}→${to}`).toBe(legal.some(([f, t]) => f === from && t === to));
      }
    }
  });

  it('knows terminal states and predecessors', () => {
    expect(isTerminal('success')).toBe(true);
    expect(isTerminal('failure')).toBe(true);
    expect(isTerminal('pending')).toBe(false);
    expect(statusesAllowedBefore('failure').sort()).toEqual(['pending', 'processing']);
  });
});
