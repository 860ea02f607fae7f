export { bucketForContainer } from './container-paths.js';
export { ensureImageStoreBucket, type ImageStore, openImageStore } from './image-store.js';
export { createObjectStoreFactory, type ObjectStoreTarget } from './minio-object-store.js';
export {
  BAD_CREDENTIAL_CODES,
  type CredentialCheck,
  type IncompleteUpload,
  type MultipartUploadInput,
  type ObjectStat,
  type ObjectStore,
  type StoredObject,
} from './object-store.js';
export {
  isObjectStoreNotFound,
  ObjectStoreInvalidNameError,
  ObjectStoreNotFoundError,
  ObjectStoreTimeoutError,
  undefinedIfNotFound,
} from './object-store-errors.js';
export { objectStoreRequestCounts, objectStoreRequestKind } from './request-counts.js';
export { defaultObjectStoreTimeouts, type ObjectStoreTimeouts } from './timed-agent.js';
