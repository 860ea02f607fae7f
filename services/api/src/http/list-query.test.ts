import { describe, expect, it } from 'vitest';
import { pageLinks, parseListQuery } from './list-query.js';

const spec = {
  sortKeys: ['created_at', 'status'] as const,
  defaultSortKey: 'created_at' as const,
  filters: { status: ['pending', 'success'] },
};

describe('parseListQuery', () => {
  it('applies the contract defaults', () => {
    expect(parseListQuery({}, spec)).toMatchObject({
      limit: 25,
      marker: undefined,
      sortKey: 'created_at',
      sortDir: 'desc',
      filters: {},
    });
  });

  it.each([
    [{ limit: '0' }, /limit '0'/],
    [{ limit: '101' }, /limit '101'/],
    [{ limit: 'ten' }, /limit 'ten'/],
    [{ marker: 'nope' }, /marker 'nope'/],
    [{ sort_key: 'owner' }, /sort_key 'owner'/],
    [{ sort_dir: 'up' }, /sort_dir 'up'/],
    [{ status: 'done' }, /status 'done'/],
    [{ colour: 'red' }, /Unknown query parameter 'colour'/],
    [{ limit: ['1', '2'] }, /'limit' must be given once/],
  ])('rejects %o', (query, message) => {
    expect(() => parseListQuery(query, spec)).toThrow(message);
  });

  it('clamps a limit above the maximum when the resource asks for it', () => {
    expect(parseListQuery({ limit: '200' }, { ...spec, limitAboveMax: 'clamp' }).limit).toBe(100);
    expect(() => parseListQuery({ limit: '0' }, { ...spec, limitAboveMax: 'clamp' })).toThrow(/limit '0'/);
  });

  it('builds first and next links, next only after a full page', () => {
    const items = [{ id: 'a' }, { id: 'b' }];
    expect(pageLinks('/v2/tasks', [['limit', '2']], items, 2)).toEqual({
      first: '/v2/tasks?limit=2',
      next: '/v2/tasks?limit=2&marker=b',
    });
    expect(pageLinks('/v2/tasks', [], items, 25)).toEqual({ first: '/v2/tasks' });
  });
});
