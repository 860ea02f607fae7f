import type {} from 'vitest';
import type { StackInfo } from './types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running stack, provided by `@cloud-images/test-stack/global-setup`. */
    stack: StackInfo;
    /** Name of the migrated template database; pass it to `createIsolatedDatabase`. */
    templateDatabase: string;
  }
}
