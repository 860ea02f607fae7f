export type { StackInfo, StackMode, S3Credentials } from './types.js';
