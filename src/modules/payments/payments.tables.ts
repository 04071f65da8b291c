import { type Dialect, pickTables } from '../../shared/db/module-db.js';
import * as postgres from './payments.tables.postgres.js';
import * as sqlite from './payments.tables.sqlite.js';

/** paymentsTables picks payments' tables for its database's dialect. */
export const paymentsTables = (dialect: Dialect) => pickTables(dialect, { sqlite, postgres });
export type PaymentsTables = ReturnType<typeof paymentsTables>;
