import type Database from 'better-sqlite3';
import { checkpointOffThread } from '../../src/shared/db/background-checkpoint.js';
import type { ModuleDbs } from './module-dbs.js';
import { type Step, type Steps, deliverySteps, orderSteps, paidOrder } from './place-order-durably.js';

type Item = { productId: string; quantity: number };

/**
 * commitEachStep runs the hand-wired order flow with Carve's guarantee between steps: a
 * step does not begin until the step before it is saved, as Carve's saga waits for a
 * module's transaction before it calls the next module. Each module database commits as
 * Carve's SQLite handle does (src/shared/db/grouped-commits.ts): the transactions begun
 * in two turns of the event loop in a row share one COMMIT, each after the first in a
 * savepoint, none answered before that COMMIT, and the files checkpoint on Carve's
 * thread. The notification is delivered after the order is answered, one delivery run at
 * a time, as Carve's outbox relay does. So what is left between this flow and Carve is
 * the seams' own code.
 *
 * @example const place = commitEachStep(dbs); const order = await place(userId, [{ productId, quantity: 1 }], 'tok_visa')
 */
export function commitEachStep(dbs: ModuleDbs) {
  const save = savers([dbs.orders.db, dbs.catalog.db, dbs.payments.db, dbs.notifications.db]);
  const drive = async <T>(steps: Steps<T>): Promise<T> => {
    let next = steps.next();
    while (!next.done) next = steps.next(await (Array.isArray(next.value) ? Promise.all(next.value.map(save)) : save(next.value)));
    return next.value;
  };
  let delivering = false;
  let again = false;
  const deliver = async () => {
    if (delivering) {
      again = true;
      return;
    }
    delivering = true;
    try {
      let more: boolean;
      do {
        again = false;
        more = await drive(deliverySteps(dbs));
      } while (again || more);
    } finally {
      delivering = false;
    }
  };
  return async (userId: string, items: Item[], token: string) => {
    const order = await drive(orderSteps(dbs, userId, items, token));
    deliver().catch((err) => console.error('delivery failed:', err));
    return paidOrder(order, userId);
  };
}

/** savers gives each database a group of its own, and runs a step in its database's group, answering after that group's COMMIT. */
function savers(all: Database.Database[]) {
  const groups = new Map(
    all.map((db) => {
      const sql = (statement: string) => db.prepare(statement);
      const statements = { begin: sql('BEGIN IMMEDIATE'), commit: sql('COMMIT'), rollback: sql('ROLLBACK'), mark: sql('SAVEPOINT step'), release: sql('RELEASE step'), undo: sql('ROLLBACK TO step') };
      return [db, { ...statements, waiting: undefined as (() => void)[] | undefined, background: checkpointOffThread(db, db.name) }];
    }),
  );
  return (step: Step): Promise<unknown> => {
    const group = groups.get(step.on.db)!;
    const first = !group.waiting;
    if (first) {
      group.begin.run();
      const waiting: (() => void)[] = [];
      group.waiting = waiting;
      setImmediate(() =>
        setImmediate(() => {
          // Rolled back, its place perhaps taken by a later group, which commits in its own time.
          if (group.waiting !== waiting) return;
          group.waiting = undefined;
          group.commit.run();
          group.background?.committed();
          for (const answer of waiting) answer();
        }),
      );
    } else group.mark.run();
    let result: unknown;
    try {
      result = step.work();
    } catch (err) {
      // The first of a group has nothing of others to keep; a later one undoes only its own.
      if (first) {
        group.rollback.run();
        group.waiting = undefined;
      } else {
        group.undo.run();
        group.release.run();
      }
      return Promise.reject(err);
    }
    if (!first) group.release.run();
    return new Promise((resolve) => group.waiting!.push(() => resolve(result)));
  };
}
