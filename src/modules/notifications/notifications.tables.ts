import { type Dialect, pickTables } from '../../shared/db/module-db.js';
import * as postgres from './notifications.tables.postgres.js';
import * as sqlite from './notifications.tables.sqlite.js';

/** notificationsTables picks notifications' tables for its database's dialect. */
export const notificationsTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type NotificationsTables = ReturnType<typeof notificationsTables>;
