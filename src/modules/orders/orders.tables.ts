import { type Dialect, pickTables } from '../../shared/db/module-db.js';
import * as postgres from './orders.tables.postgres.js';
import * as sqlite from './orders.tables.sqlite.js';

/** ordersTables picks orders' tables for its database's dialect. */
export const ordersTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type OrdersTables = ReturnType<typeof ordersTables>;
