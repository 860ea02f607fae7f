export {
  bucketForContainer,
  createObjectStoreClient,
  isValidContainerName,
  type ObjectStoreTarget,
  parseContainerPath,
} from './object-store.js';
