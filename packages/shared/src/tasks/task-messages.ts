/**
 * Client-visible failure messages, word for word from the Rackspace docs (seed 001) and later service texts.
 * The VHD validation codes (111, 396, …) come from @cloud-images/vhd.
 */
export const TaskMessage = {
  importObjectNotFound: 'Error: Image not found for import. Possible invalid location',
  unsupportedImageProperty: 'Unsupported element in image_properties, please consult the documentation.',
  exportNotOwner: 'An image may only be exported by the image owner.',
  exportContainerNotFound: (container: string) => `Container not found. Container: ${container}`,
  exportInvalidContainer: (container: string) =>
    `Invalid container name: ${container}. Container names may not contain '/', '?' or '.'`,
  exportObjectExists: (objectName: string, container: string) =>
    `Swift already has an object with id '${objectName}' in container '${container}'`,
  /** A stored task whose input breaks the contract (the API never writes one; a hand-made row might). */
  invalidTaskInput: (problem: string) => `The task input is invalid: ${problem}`,
  /** Recovery found no live worker for the task (heartbeats stopped) after its last attempt. */
  workerLost:
    'The task could not be completed: the worker running it stopped responding on every attempt. Please try again.',
  /** The import would take the tenant past its max_image_bytes limit. */
  imageBytesLimit: (limit: number, used: number, size: number) =>
    `Over limit: importing this image (${size} bytes) would exceed the tenant's max_image_bytes of ${limit} bytes (${used} bytes in use).`,
  /** The job ran past its deadline (base + size / minimum rate) on every attempt. */
  deadlineExceeded: (ms: number) =>
    `The task did not finish within its deadline of ${Math.round(ms / 1000)} s; the object store may be unreachable.`,
  /** A retried import whose image was deleted meanwhile: the image stays deleted. */
  importImageDeleted:
    'The image was deleted before its import finished; import it again to create a new image.',
  /** The object store refused the tenant's S3 key pair (SignatureDoesNotMatch, InvalidAccessKeyId). */
  tenantCredentialsRejected:
    "The object store rejected this account's S3 credentials; an operator must update them (tenant update) before tasks can run.",
  /** The tenant's sealed S3 secret does not open (moved from another tenant's row, or its master key is gone). */
  tenantCredentialsUnreadable:
    "This account's stored S3 credentials could not be read; an operator must set them again (tenant update).",
  internalError: 'The task could not be completed because of an internal error. Please try again.',
} as const;
