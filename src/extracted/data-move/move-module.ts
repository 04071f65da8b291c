import { assertTargetFromSource } from './check-target.js';
import { type CopyCount, copyTable } from './copy-table.js';
import { matchShapes } from './match-shapes.js';
import type { ModuleStore, TableShape } from './module-store.js';
import { MoveError, MoveInterrupted } from './move-error.js';
import { openSource, openTarget } from './open-store.js';
import { describeUrl, sameStore } from './store-url.js';
import { type TableSum, checksumTable } from './table-checksum.js';

/** MoveProgress hears about the move as it goes; the CLI draws a bar with it. */
export interface MoveProgress {
  /** A step that reads whole tables without copying, so that a long pause has a reason on screen. */
  note(step: string): void;
  begin(totalRows: number): void;
  advance(table: string, rows: number): void;
  end(): void;
}

export interface MoveOptions {
  module: string;
  /** DATABASE_URL of the store the rows are in now. */
  from: string;
  /** DATABASE_URL of the store they go to; migrated here if need be. */
  to: string;
  /** Rows per page read and per insert (capped by each dialect's parameter limit). Default 2000. */
  batch?: number;
  /** Move a module whose source holds no rows, instead of refusing it as a probable wrong URL. */
  allowEmpty?: boolean;
  progress?: MoveProgress;
  /** Stops the copy between two batches; the move then rejects with MoveInterrupted. */
  signal?: AbortSignal;
}

export interface TableReport {
  name: string;
  source: TableSum;
  target: TableSum;
  /** Rows this run added to the target. */
  inserted: number;
}

export interface MoveReport {
  module: string;
  from: string;
  to: string;
  /** copied: into an empty target; resumed: on top of an earlier run's rows; complete: nothing was left to do. */
  outcome: 'copied' | 'resumed' | 'complete';
  tables: TableReport[];
  /** Rows read from the source and sent to the target, and the seconds that took. */
  sent: number;
  seconds: number;
}

/**
 * moveModule copies one module's data from one store to another and proves the copy: it
 * creates the tables at the target through the module's migrations, refuses a target that
 * holds rows the source does not, copies every table in resumable batches, and compares
 * row counts and checksums per table. The source is only read, under one snapshot. Running
 * it again after a crash finishes the copy; after a success it changes nothing.
 *
 * @example const report = await moveModule({ module: 'catalog', from: 'sqlite:./data/catalog.db', to: process.env.TARGET! })
 */
export async function moveModule(options: MoveOptions): Promise<MoveReport> {
  const { module, from, to } = options;
  if (sameStore(from, to))
    throw new MoveError(`The source and the target are the same store (${describeUrl(from)}): nothing to move.`);
  const source = await openSource(module, from);
  try {
    const sourceTables = await source.tables();
    const rows = (await counts(source, sourceTables)).reduce((a, b) => a + b, 0);
    if (rows === 0 && !options.allowEmpty) {
      throw new MoveError(
        `${source.location} holds no ${module} rows, so there is nothing to move. That usually means the wrong URL ` +
          '(or DATA_DIR / DATABASE_URL); pass --allow-empty if the module really is empty.',
      );
    }
    const target = await openTarget(module, to);
    try {
      const tables = matchShapes(module, sourceTables, await target.tables());
      return await source.snapshot(() => copyAndVerify({ ...options, source, target, tables }));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

type Move = MoveOptions & { source: ModuleStore; target: ModuleStore; tables: TableShape[] };

async function copyAndVerify(move: Move): Promise<MoveReport> {
  const { module, source, target, tables, progress, signal } = move;
  const batch = move.batch ?? 2000;
  const report = (outcome: MoveReport['outcome'], sums: Sums, inserted: number[], sent: number, seconds: number): MoveReport => ({
    module,
    from: source.location,
    to: target.location,
    outcome,
    tables: tables.map((t, i) => ({
      name: t.name,
      source: sums.source[i]!,
      target: sums.target[i]!,
      inserted: inserted[i] ?? 0,
    })),
    sent,
    seconds,
  });

  let outcome: MoveReport['outcome'] = 'copied';
  const [sourceCounts, targetCounts] = [await counts(source, tables), await counts(target, tables)];
  if (targetCounts.some((n) => n > 0)) {
    progress?.note(`the target already holds ${module} rows: comparing them with the source`);
    // Equal counts may be a complete earlier copy; only then are both sides worth summing.
    if (targetCounts.every((n, i) => n === sourceCounts[i])) {
      const before = { source: await checksums(source, tables, batch), target: await checksums(target, tables, batch) };
      if (matches(before)) return report('complete', before, [], 0, 0);
    }
    await assertTargetFromSource({ module, source, target, tables, batch });
    outcome = 'resumed';
  }

  progress?.begin(sourceCounts.reduce((a, b) => a + b, 0));
  const started = performance.now();
  const copies: CopyCount[] = [];
  try {
    for (const table of tables) {
      const onPage = (n: number) => progress?.advance(table.name, n);
      copies.push(await copyTable({ source, target, table, batch, resuming: outcome === 'resumed', signal, onPage }));
    }
  } catch (err) {
    // Pages may commit without waiting for the disk: the ones an interrupted move says it wrote must be there.
    if (err instanceof MoveInterrupted) await target.flush();
    throw err;
  } finally {
    progress?.end();
  }
  await target.flush();
  const seconds = (performance.now() - started) / 1000;

  // The copy summed the source as it read it, under the same snapshot; the target is read back.
  progress?.note('verifying row counts and checksums');
  const after = { source: copies.map((c) => c.source), target: await checksums(target, tables, batch) };
  if (!matches(after)) {
    const bad = tables.filter((_, i) => !same(after.source[i]!, after.target[i]!)).map((t) => t.name);
    throw new MoveError(
      `Verification failed for ${module}: ${bad.join(', ')} differ between source and target after the copy ` +
        '(a process wrote to one of them during the move?). Stop everything that uses the module and run the same command again.',
    );
  }
  const sent = copies.reduce((n, c) => n + c.sent, 0);
  const inserted = copies.map((c) => c.inserted);
  return report(outcome, after, inserted, sent, seconds);
}

interface Sums {
  source: TableSum[];
  target: TableSum[];
}

function checksums(store: ModuleStore, tables: TableShape[], batch: number): Promise<TableSum[]> {
  return Promise.all(tables.map((t) => checksumTable(store, t, Math.min(batch * 2, store.maxBatch(t)))));
}

const same = (a: TableSum, b: TableSum) => a.rows === b.rows && a.checksum === b.checksum;
const matches = (sums: Sums) => sums.source.every((s, i) => same(s, sums.target[i]!));

async function counts(store: ModuleStore, tables: TableShape[]): Promise<number[]> {
  const result: number[] = [];
  for (const table of tables) result.push(await store.count(table));
  return result;
}
