export {
  bucketForContainer,
  createObjectStoreClient,
  type ObjectStoreTarget,
} from './object-store.js';
