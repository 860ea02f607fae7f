import type { Database } from '@cloud-images/shared';

/** The database or an open transaction: repositories accept either so a use case can group writes. */
export type DbExecutor = Omit<Database, '$client'>;
