/** A tenant's container `c` is the bucket `<prefix><c>` in the tenant's own account. */
export function bucketForContainer(bucketPrefix: string, container: string): string {
  return `${bucketPrefix}${container}`;
}
