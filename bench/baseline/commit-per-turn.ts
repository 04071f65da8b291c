import { checkpointOffThread } from '../../src/shared/db/background-checkpoint.js';
import type { ModuleDbs } from './module-dbs.js';

/**
 * commitPerTurn runs hand-wired order flows the way Carve's SQLite handle commits them:
 * the first flow of a turn of the event loop opens a transaction in every module
 * database, each flow's own transactions nest in it as savepoints (better-sqlite3 makes
 * a nested transaction one), and the whole group commits at the end of the next turn,
 * as Carve's SQLite handle waits two turns before its COMMIT (src/shared/db/sqlite-db.ts). A flow
 * is answered only after that COMMIT, and the files checkpoint on Carve's thread
 * (src/shared/db/background-checkpoint.ts). So the third baseline pays what Carve pays
 * for its writes, and what is left between the two is the seams' own code.
 *
 * @example const placeGrouped = commitPerTurn(dbs); const order = await placeGrouped(() => placeOrderDurably(dbs, ...))
 */
export function commitPerTurn(dbs: ModuleDbs) {
  const all = [dbs.orders.db, dbs.catalog.db, dbs.payments.db, dbs.notifications.db];
  const background = all.map((db) => checkpointOffThread(db, db.name));
  let group: { settle: (err?: unknown) => void }[] | undefined;

  const commit = () => {
    const members = group ?? [];
    group = undefined;
    try {
      for (const db of all) db.exec('COMMIT');
    } catch (err) {
      for (const db of all) if (db.inTransaction) db.exec('ROLLBACK');
      for (const m of members) m.settle(err);
      return;
    }
    for (const b of background) b?.committed();
    for (const m of members) m.settle();
  };

  return <T>(flow: () => T): Promise<T> => {
    if (!group) {
      for (const db of all) db.exec('BEGIN IMMEDIATE');
      group = [];
      setImmediate(() => setImmediate(commit));
    }
    // A flow that throws has undone its own open savepoint; what it wrote before stays, as in the other flows.
    const result = flow();
    return new Promise<T>((resolve, reject) => {
      group!.push({ settle: (err) => (err === undefined ? resolve(result) : reject(err)) });
    });
  };
}
