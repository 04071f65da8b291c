import type Database from 'better-sqlite3';

/**
 * GroupedCommits runs a SQLite connection's transactions so that those begun close
 * together (until `scheduleSettle` calls back: two turns of the event loop, in
 * sqlite-db.ts) share one COMMIT. A commit is most of a transaction's cost: it
 * writes every page the transaction touched to the WAL, and an order runs ten of them.
 * Transactions from requests in flight together touch the same newest pages, so one
 * commit writes each page once for all of them.
 *
 * Nothing is answered before its commit: a transaction's promise settles only when the
 * COMMIT that holds it has run, so a crash loses nothing anyone was told had been saved.
 * Each transaction after the first in a group runs in a savepoint, and a failing one
 * rolls back to it, leaving the others in the group as they were. If the COMMIT itself
 * fails, every transaction in the group fails with it: none of them is kept, and each
 * caller is told so. (A deferred foreign key, checked only at COMMIT, would fail its
 * whole group that way; no module declares one.)
 */
export interface GroupedCommits {
  /**
   * run runs `work` inside the open group, or opens one. It is called under the
   * connection's lock, and calls `done` once the work has run and the lock may pass on;
   * `outcome` hears the work's result once the COMMIT that holds it has run, or its error.
   */
  run<T>(work: () => T | Promise<T>, outcome: Outcome<T>, done: () => void): void;
  /** settle commits the open group now, if there is one; under the lock, before anything that must see only committed rows. */
  settle(): void;
}

/** Outcome is how a transaction is answered: a promise's resolve and reject. */
export interface Outcome<T> {
  resolve(result: T): void;
  reject(err: unknown): void;
}

export interface GroupingOptions {
  /** Runs after each COMMIT. */
  afterCommit(): void;
  /** Arranges for `settle` to run soon, under the caller's lock: when, decides how many transactions a group holds. */
  scheduleSettle(): void;
  /** Whether a transaction may wait for its group's COMMIT; where not, it commits as soon as its work is done. */
  mayDefer(): boolean;
}

/**
 * groupCommits wraps `client`'s transactions, to be run one at a time under the caller's lock.
 *
 * @example
 * const commits = groupCommits(client, { afterCommit, scheduleSettle: () => setImmediate(() => exclusive(commits.settle)), mayDefer: () => true });
 * const saved = await new Promise((resolve, reject) => exclusive.enter((leave) => commits.run(work, { resolve, reject }, leave)));
 */
export function groupCommits(client: Database.Database, { afterCommit, scheduleSettle, mayDefer }: GroupingOptions): GroupedCommits {
  const begin = client.prepare('BEGIN IMMEDIATE');
  const commit = client.prepare('COMMIT');
  const rollback = client.prepare('ROLLBACK');
  const mark = client.prepare('SAVEPOINT carve_tx');
  const release = client.prepare('RELEASE carve_tx');
  const rollbackToMark = client.prepare('ROLLBACK TO carve_tx');
  // The transactions of the open group whose work is done, waiting for its COMMIT.
  let group: Waiting[] | undefined;

  // Every transaction of the group is told of `err`. Should the ROLLBACK fail as well,
  // the connection is left in its transaction and the next BEGIN says so; it is not
  // thrown here, where nobody but the turn's end would catch it.
  const failGroup = (err: unknown) => {
    const members = group ?? [];
    group = undefined;
    try {
      if (client.inTransaction) rollback.run();
    } catch {}
    for (const m of members) m.reject(err);
  };

  const settle = () => {
    const members = group;
    if (!members) return;
    try {
      commit.run();
    } catch (err) {
      failGroup(err);
      return;
    }
    group = undefined;
    // Their rows are committed, so they are told so whatever a commit listener does.
    try {
      afterCommit();
    } finally {
      for (const m of members) m.resolve();
    }
  };

  const run = <T>(work: () => T | Promise<T>, outcome: Outcome<T>, done: () => void) => {
    // Told of a failure only after the lock has passed on, as a settled promise would be.
    const refuse = (err: unknown) => {
      done();
      outcome.reject(err);
    };
    let marked = false;
    try {
      if (!group) {
        begin.run();
        group = [];
        scheduleSettle();
      }
      // The first in a group has nothing to keep on failure, so it needs no savepoint.
      marked = group.length > 0;
      if (marked) mark.run();
    } catch (err) {
      refuse(err);
      return;
    }
    const failed = (err: unknown) => {
      try {
        if (!marked || !client.inTransaction) failGroup(err);
        else {
          rollbackToMark.run();
          release.run();
        }
      } catch {
        // Its savepoint could not be undone, so nothing in the group can be kept.
        failGroup(err);
      }
      refuse(err);
    };
    let pending: T | Promise<T>;
    try {
      pending = work();
    } catch (err) {
      failed(err);
      return;
    }
    Promise.resolve(pending).then((result) => {
      try {
        if (marked) release.run();
      } catch (err) {
        // Left open, the savepoint would be committed with the group though its caller heard it failed.
        failGroup(err);
        refuse(err);
        return;
      }
      group!.push({ resolve: () => outcome.resolve(result), reject: outcome.reject });
      // Before the lock passes on: the next holder's work must not be in this COMMIT half done.
      // The lock passes on even should a commit listener throw, or the connection would stay locked.
      try {
        if (!mayDefer()) settle();
      } finally {
        done();
      }
    }, failed);
  };

  return { run, settle };
}

/** A transaction of the open group whose work is done: told when the group's COMMIT has run, or failed. */
interface Waiting {
  resolve(): void;
  reject(err: unknown): void;
}
