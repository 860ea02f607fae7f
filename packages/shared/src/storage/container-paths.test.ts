import { describe, expect, it } from 'vitest';
import { bucketForContainer } from './container-paths.js';

describe('tenant buckets', () => {
  it('maps a container to the prefixed bucket', () => {
    expect(bucketForContainer('t1-', 'exports')).toBe('t1-exports');
  });
});
