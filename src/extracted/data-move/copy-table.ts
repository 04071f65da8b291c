import { type ModuleStore, type Row, type TableShape, keyOf } from './module-store.js';
import { MoveInterrupted } from './move-error.js';
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
 * its start, unlike OFFSET. `on conflict do nothing` makes a page that was already copied
 * a no-op, so a run killed anywhere leaves only whole pages behind and a re-run finishes
 * the job. When resuming, a page the target already holds in full is not sent again. An
 * abort is honoured between pages, never inside one.
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
  const read = (after: Row | undefined) => source.page(table, after && keyOf(table, after), batch);
  let next = read(undefined);
  try {
    for (;;) {
      const page = await next;
      // Conflicting inserts cost Postgres more than a lookup, and an interrupted run leaves whole pages.
      const present = options.resuming ? await countPresent(target, table, page) : 0;
      // Ask for the next page and write this one, then hash it: both databases and the CPU work at once.
      if (page.length === batch) next = read(page.at(-1));
      const writing = present < page.length ? target.insert(table, page) : Promise.resolve(0);
      sum.add(page);
      inserted += await writing;
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

async function countPresent(target: ModuleStore, table: TableShape, page: Row[]): Promise<number> {
  const found = await target.findByKeys(
    table,
    page.map((row) => keyOf(table, row)),
  );
  return found.length;
}
