import { type ModuleStore, type Row, type TableShape, keyOf } from './module-store.js';
import { isUniqueViolation } from '../../shared/db/unique-violation.js';
import { MoveError, MoveInterrupted } from './move-error.js';
import { type TableSum, runningChecksum } from './table-checksum.js';

/** CopyCount is what one table's copy did. */
export interface CopyCount {
  /** Rows read from the source. */
  sent: number;
  /** How many of them were new to the target. */
  inserted: number;
  /** The source table's count and checksum, from the same reads: the source needs no second pass to verify. */
  source: TableSum;
}

/**
 * copyTable copies a table in primary-key order, one page of the source per target
 * transaction. Keyset pages (`where key > last`) cost the same at the end of a table as at
 * its start, unlike OFFSET. A run killed anywhere leaves only whole pages behind, and a
 * re-run finishes the job: when resuming, a page the target already holds in full is not
 * sent again, and one it holds in part is inserted with `on conflict do nothing`. An abort
 * is honoured between pages, never inside one.
 *
 * @example await copyTable({ source, target, table, batch: 2000, resuming: false, onPage: (n) => bar.increment(n) })
 */
export async function copyTable(options: {
  source: ModuleStore;
  target: ModuleStore;
  table: TableShape;
  batch: number;
  /** The target may hold some of the rows already, from an interrupted run. */
  resuming: boolean;
  onPage?: (rows: number) => void;
  signal?: AbortSignal;
}): Promise<CopyCount> {
  const { source, target, table, onPage, signal } = options;
  const batch = Math.min(options.batch, target.maxBatch(table), source.maxBatch(table));
  const sum = runningChecksum();
  let sent = 0;
  let inserted = 0;
  // Each page is summed as it arrives, while the target inserts the page before it: the
  // hashing then never holds back an insert.
  const read = (after: Row | undefined) =>
    source.page(table, after && keyOf(table, after), batch).then((page) => {
      sum.add(page);
      return page;
    });
  let next = read(undefined);
  try {
    for (;;) {
      const page = await next;
      // Conflicting inserts cost Postgres more than a lookup, and an interrupted run leaves whole pages.
      const present = options.resuming ? await countPresent(target, table, page) : 0;
      // Ask for the next page and write this one: both databases and the CPU work at once.
      if (page.length === batch) next = read(page.at(-1));
      // A page none of whose keys are at the target needs no conflict check; should a row
      // appear there meanwhile, the insert fails rather than skip it, and a re-run resumes.
      inserted += present < page.length ? await target.insert(table, page, present > 0).catch(appearedMeanwhile(table)) : 0;
      sent += page.length;
      onPage?.(page.length);
      if (page.length < batch) return { sent, inserted, source: sum.result() };
      if (signal?.aborted)
        throw new MoveInterrupted(`Interrupted while copying ${table.name}; every batch written so far is committed.`);
    }
  } finally {
    // A read still in flight when the copy stops must not surface as an unhandled rejection.
    next.catch(() => {});
  }
}

/** appearedMeanwhile turns a key collision on a page checked empty into what it means: another writer at the target. */
const appearedMeanwhile = (table: TableShape) => (err: unknown): never => {
  if (!isUniqueViolation(err)) throw err;
  throw new MoveError(
    `A row of ${table.name} appeared at the target while it was being copied: something else writes there. Stop it and run the move again; it resumes where it stopped.`,
  );
};

async function countPresent(target: ModuleStore, table: TableShape, page: Row[]): Promise<number> {
  const found = await target.findByKeys(
    table,
    page.map((row) => keyOf(table, row)),
  );
  return found.length;
}
