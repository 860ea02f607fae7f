import { describe, expect, it } from 'vitest';
import { type BucketBinding, bucketPrefixProblem } from './bucket-prefix-rules.js';

const existing: BucketBinding[] = [
  { id: '00000001', s3Endpoint: null, s3AccessKey: 'acct-a', bucketPrefix: 'acme-' },
];
const candidate = (bucketPrefix: string, s3AccessKey = 'acct-a', s3Endpoint: string | null = null) => ({
  bucketPrefix,
  s3AccessKey,
  s3Endpoint,
});

describe('bucketPrefixProblem', () => {
  it('accepts a well-formed prefix that overlaps nothing', () => {
    expect(bucketPrefixProblem(candidate('beta-'), existing, 'cloud-images-store')).toBeUndefined();
    // The same prefix in another account or on another endpoint names other buckets.
    expect(bucketPrefixProblem(candidate('acme-', 'acct-b'), existing, 'cloud-images-store')).toBeUndefined();
    expect(
      bucketPrefixProblem(candidate('acme-', 'acct-a', 'https://s3.example'), existing, 'cloud-images-store'),
    ).toBeUndefined();
  });

  it('refuses a malformed prefix', () => {
    for (const bad of ['Acme-', 'a.b-', '-a', 'a_b', 'a/b']) {
      expect(bucketPrefixProblem(candidate(bad), [], 'cloud-images-store'), bad).toMatch(/malformed/);
    }
  });

  it("refuses a prefix that starts, or is started by, another tenant's on the same account", () => {
    for (const overlap of ['acme-', 'acme-b-', 'acm']) {
      expect(bucketPrefixProblem(candidate(overlap), existing, 'cloud-images-store'), overlap).toMatch(
        /overlaps the prefix 'acme-' of tenant 00000001/,
      );
    }
    // The empty prefix starts every other; checked with a store bucket no container can spell.
    expect(bucketPrefixProblem(candidate(''), existing, 'images.store')).toMatch(/overlaps/);
  });

  it('refuses a prefix that could name the image-store bucket', () => {
    for (const prefix of ['cloud-', 'cloud-images-', '']) {
      expect(bucketPrefixProblem(candidate(prefix, 'x'), [], 'cloud-images-store'), prefix).toMatch(
        /image-store bucket/,
      );
    }
    // "images.store" cannot be a container name, so prefix "cloud-" cannot reach "cloud-images.store".
    expect(bucketPrefixProblem(candidate('cloud-', 'x'), [], 'cloud-images.store')).toBeUndefined();
  });
});
