/** Rackspace's container names: no '/', '?' or '.', and something S3 accepts as a bucket once prefixed. */
export function isValidContainerName(container: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(container);
}

/** A tenant's container `c` is the bucket `<prefix><c>` in the tenant's own account. */
export function bucketForContainer(bucketPrefix: string, container: string): string {
  return `${bucketPrefix}${container}`;
}

/** Splits `import_from` ("<container>/<object>") into its parts; undefined if either is missing. */
export function parseContainerPath(path: string): { container: string; object: string } | undefined {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { container: path.slice(0, slash), object: path.slice(slash + 1) };
}
