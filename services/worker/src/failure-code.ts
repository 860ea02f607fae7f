import { TaskMessage } from '@cloud-images/shared';

/**
 * A failed task's code for the failures metric: the Rackspace numeric code its message starts with (`396: …`),
 * or one fixed name per documented message. The set is closed, so the label's cardinality stays bounded
 * (container and object names inside messages never become label values).
 */
export type FailureCode =
  | `${number}`
  | 'object_not_found'
  | 'unsupported_property'
  | 'not_owner'
  | 'container_not_found'
  | 'invalid_container'
  | 'object_exists'
  | 'invalid_input'
  | 'credentials_rejected'
  | 'credentials_unreadable'
  | 'internal'
  | 'other';

const NUMERIC_CODE = /^(\d{3}):/;

export function failureCode(message: string): FailureCode {
  const numeric = NUMERIC_CODE.exec(message);
  if (numeric) return numeric[1] as `${number}`;
  if (message === TaskMessage.importObjectNotFound) return 'object_not_found';
  if (message === TaskMessage.unsupportedImageProperty) return 'unsupported_property';
  if (message === TaskMessage.exportNotOwner) return 'not_owner';
  if (message === TaskMessage.internalError) return 'internal';
  if (message === TaskMessage.tenantCredentialsRejected) return 'credentials_rejected';
  if (message === TaskMessage.tenantCredentialsUnreadable) return 'credentials_unreadable';
  if (message.startsWith('Container not found.')) return 'container_not_found';
  if (message.startsWith('Invalid container name:')) return 'invalid_container';
  if (message.startsWith('Swift already has an object')) return 'object_exists';
  if (message.startsWith('The task input is invalid:')) return 'invalid_input';
  return 'other';
}
