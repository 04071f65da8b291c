import { type ModuleStore, type Row, type TableShape, keyOf } from './module-store.js';
import { MoveError } from './move-error.js';
import { rowText } from './table-checksum.js';

/**
 * assertTargetFromSource refuses a target that holds a row the source does not hold
 * identically: the only rows a re-run may find there are the ones an earlier run of the
 * same move copied. Anything else is another store's data (or the source changed since),
 * and copying on top of it would mix two histories of the module.
 *
 * @example await assertTargetFromSource({ module: 'catalog', source, target, tables, batch: 2000 })
 */
export async function assertTargetFromSource(options: {
  module: string;
  source: ModuleStore;
  target: ModuleStore;
  tables: readonly TableShape[];
  batch: number;
}): Promise<void> {
  const { module, source, target, tables } = options;
  for (const table of tables) {
    const batch = Math.min(options.batch, source.maxBatch(table));
    for (let after: Row | undefined, page: Row[]; ; after = page.at(-1)) {
      page = await target.page(table, after && keyOf(table, after), batch);
      const keys = page.map((row) => keyOf(table, row));
      const found = new Map((await source.findByKeys(table, keys)).map((row) => [rowText(keyOf(table, row)), rowText(row)]));
      for (const row of page) {
        const key = keyOf(table, row);
        const theirs = found.get(rowText(key));
        if (theirs === rowText(row)) continue;
        const what = theirs === undefined ? 'is not in the source' : 'differs from the same row in the source';
        throw new MoveError(
          `The target already holds ${module} data that did not come from this source: ` +
            `${table.name} row (${table.primaryKey.join(', ')}) = (${key.map(String).join(', ')}) ${what}.\n` +
            `Carve will not mix two stores' rows. Point the move at an empty ${module} store, or set the existing one aside ` +
            `(SQLite: move the file away; Postgres: drop schema "${module}" cascade) once you are sure it is not needed.`,
        );
      }
      if (page.length < batch) break;
    }
  }
}
