export { createDatabase, type Database, type DatabaseHandle } from './client.js';
export { migrationsFolder, runMigrations } from './migrate.js';
export * from './schema.js';
