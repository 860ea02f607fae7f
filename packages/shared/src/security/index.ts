export { generateApiToken, hashApiToken } from './api-token.js';
export { SecretBox, SecretBoxError } from './secret-box.js';
