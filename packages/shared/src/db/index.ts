export { createDatabase, type Database, type DatabaseHandle, type DbExecutor } from './client.js';
export { migrationsFolder, runMigrations } from './migrate.js';
export * from './schema.js';
