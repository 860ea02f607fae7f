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
  /** A retried import whose image was deleted meanwhile: the image stays deleted. */
  importImageDeleted:
    'The image was deleted before its import finished; import it again to create a new image.',
  internalError: 'The task could not be completed because of an internal error. Please try again.',
} as const;
