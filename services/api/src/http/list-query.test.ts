import { describe, expect, it } from 'vitest';
import { pageLinks, singleQueryParams } from './list-query.js';

describe('singleQueryParams', () => {
  it('passes single values and rejects a repeated parameter by name', () => {
    expect(singleQueryParams({ limit: '2', status: 'pending' })).toEqual({ limit: '2', status: 'pending' });
    expect(() => singleQueryParams({ limit: ['1', '2'] })).toThrow(/'limit' must be given once/);
  });
});

describe('pageLinks', () => {
  it('builds first and next links, next only after a full page, never repeating the marker', () => {
    const items = [{ id: 'a' }, { id: 'b' }];
    expect(pageLinks('/v2/tasks', { limit: '2', marker: 'z' }, items, 2)).toEqual({
      first: '/v2/tasks?limit=2',
      next: '/v2/tasks?limit=2&marker=b',
    });
    expect(pageLinks('/v2/tasks', {}, items, 25)).toEqual({ first: '/v2/tasks' });
  });
});
