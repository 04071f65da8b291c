import { type Dialect, pickTables } from '../../shared/db/module-db.js';
import * as postgres from './catalog.tables.postgres.js';
import * as sqlite from './catalog.tables.sqlite.js';

/** catalogTables picks catalog's tables for its database's dialect. */
export const catalogTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type CatalogTables = ReturnType<typeof catalogTables>;
