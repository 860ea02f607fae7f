import { createGlobalSetup } from '@cloud-images/test-stack/global-setup';

// No template schema: native-build.test.ts migrates an empty database with the pruned image's own migrate CLI.
export default createGlobalSetup();
