import { type Dialect, pickTables } from '../db/module-db.js';
import * as postgres from './event-tables.postgres.js';
import * as sqlite from './event-tables.sqlite.js';

/** eventTables picks the outbox, delivery and inbox tables for a module database's dialect. */
export const eventTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type EventTables = ReturnType<typeof eventTables>;
