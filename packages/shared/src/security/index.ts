export { generateApiToken, hashApiToken } from './api-token.js';
export {
  SecretBox,
  SecretBoxError,
  type SecretKey,
  sealV1,
  secretKey,
  secretKeyId,
} from './secret-box.js';
