import { type Dialect, pickTables } from '../../shared/db/module-db.js';
import * as postgres from './identity.tables.postgres.js';
import * as sqlite from './identity.tables.sqlite.js';

/** identityTables picks identity's tables for its database's dialect. */
export const identityTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type IdentityTables = ReturnType<typeof identityTables>;
