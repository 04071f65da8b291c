import { hash } from 'node:crypto';
import { encodeForDigest } from './column-values.js';
import { type ModuleStore, type Row, type TableShape, keyOf } from './module-store.js';

/**
 * rowText writes a canonical row as one string; two rows are the same data exactly when
 * their texts are equal, whichever dialect each was read from.
 *
 * @example rowText([1n, 'a', null]) // '["1","a",null]'
 */
export function rowText(row: Row): string {
  // JSON.stringify(row.map(encodeForDigest)), written out: every row moved goes through here
  // twice, and a text, the common case, needs no intermediate array.
  let text = '[';
  for (let i = 0; i < row.length; i++) {
    const value = row[i]!;
    if (i > 0) text += ',';
    text += JSON.stringify(typeof value === 'string' ? value : encodeForDigest(value));
  }
  return `${text}]`;
}

/** TableSum is a table's row count and checksum. */
export interface TableSum {
  rows: number;
  checksum: string;
}

/** RunningChecksum adds rows to a table's checksum as they are read. */
export interface RunningChecksum {
  add(rows: readonly Row[]): void;
  result(): TableSum;
}

/**
 * runningChecksum adds up a SHA-1 of each row's text in four 32-bit lanes (a 128-bit sum).
 * A sum, not a hash of the concatenation, so it does not depend on the order rows come in:
 * SQLite and Postgres may sort the same text keys differently (collations). Primary keys
 * make every row distinct, so no two rows cancel out. SHA-1, because this guards against
 * mistakes, not attackers, and it is the fastest digest Node offers here.
 *
 * @example const sum = runningChecksum(); sum.add(page); sum.result().checksum
 */
export function runningChecksum(): RunningChecksum {
  const lanes = new Uint32Array(4); // wraps at 2^32 on its own
  let rows = 0;
  return {
    add(page) {
      for (const row of page) {
        // 'binary' (latin1) output is one character per byte: cheaper than a Buffer per row,
        // or than slicing and parsing hex.
        const digest = hash('sha1', rowText(row), 'binary');
        for (let i = 0; i < 4; i++) {
          let word = 0;
          for (let at = i * 4; at < i * 4 + 4; at++) word = (word << 8) | digest.charCodeAt(at);
          lanes[i]! += word >>> 0;
        }
      }
      rows += page.length;
    },
    result: () => ({ rows, checksum: [...lanes].map((lane) => lane.toString(16).padStart(8, '0')).join('') }),
  };
}

/**
 * checksumTable reads a whole table in key order and returns its row count and checksum.
 *
 * @example const { rows, checksum } = await checksumTable(store, table, 5000)
 */
export async function checksumTable(store: ModuleStore, table: TableShape, batch: number): Promise<TableSum> {
  const sum = runningChecksum();
  for (let after: Row | undefined, page: Row[]; ; after = page.at(-1)) {
    page = await store.page(table, after && keyOf(table, after), batch);
    sum.add(page);
    if (page.length < batch) return sum.result();
  }
}
