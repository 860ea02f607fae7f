import { createGlobalSetup } from '@cloud-images/test-stack/global-setup';
import { runMigrations } from '../src/db/migrate.js';

export default createGlobalSetup({ prepareTemplate: runMigrations });
