import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema>;

/** The database or an open transaction: repositories accept either so a caller can group writes. */
export type DbExecutor = Omit<Database, '$client'>;

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(options: {
  url: string;
  poolMax?: number;
  applicationName?: string;
}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'cloud-images',
    // Fail a request quickly instead of queueing forever when Postgres is gone; callers retry.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => {});
  // pg-pool listens only on IDLE clients. A client checked out between two queries (mid-transaction) whose
  // connection dies would emit an unhandled 'error' and kill the process; with this listener its next query
  // fails instead (and the pool discards it on release).
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
