import { defineConfig } from 'drizzle-kit';

// Used only to generate the committed SQL in ./drizzle; applying it is runMigrations()'s job.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
