import { runMigrations } from '@cloud-images/shared';
import { createGlobalSetup } from '@cloud-images/test-stack/global-setup';

export default createGlobalSetup({ prepareTemplate: runMigrations });
