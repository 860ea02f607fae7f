import { isValidBucketPrefix, isValidContainerName } from '@cloud-images/shared';

/** What the admin CLI knows of an existing tenant's object-store binding. */
export interface BucketBinding {
  id: string;
  s3Endpoint: string | null;
  s3AccessKey: string;
  bucketPrefix: string;
}

/**
 * Why `candidate` may not take its bucket prefix, or undefined when it may. Two tenants on the same endpoint and
 * account whose prefixes start one another could name the same bucket (prefix "a-" with container "b-x" is prefix
 * "a-b-" with container "x"), so each would reach the other's containers. A prefix that can spell the image-store
 * bucket would let a tenant export into, or import from, the service's own images.
 */
export function bucketPrefixProblem(
  candidate: Omit<BucketBinding, 'id'>,
  others: readonly BucketBinding[],
  imageStoreBucket: string,
): string | undefined {
  const prefix = candidate.bucketPrefix;
  if (!isValidBucketPrefix(prefix)) {
    return `--bucket-prefix '${prefix}' is malformed: use at most 62 lower-case letters, digits and '-', starting with a letter or digit`;
  }
  if (imageStoreBucket.startsWith(prefix) && isValidContainerName(imageStoreBucket.slice(prefix.length))) {
    return `--bucket-prefix '${prefix}' could name the image-store bucket '${imageStoreBucket}'`;
  }
  const clash = others.find(
    (other) =>
      other.s3Endpoint === candidate.s3Endpoint &&
      other.s3AccessKey === candidate.s3AccessKey &&
      (other.bucketPrefix.startsWith(prefix) || prefix.startsWith(other.bucketPrefix)),
  );
  if (clash) {
    return `--bucket-prefix '${prefix}' overlaps the prefix '${clash.bucketPrefix}' of tenant ${clash.id} on the same endpoint and account`;
  }
  return undefined;
}
