import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/**
 * A checkpoint copies the pages a WAL holds into the database file and syncs both. SQLite
 * runs one inside whichever COMMIT takes the WAL past 1,000 pages, on the connection that
 * commits: in Carve, the thread that serves every request. Under the order load that
 * was 1 COMMIT in 90 taking 4–6 ms, about half the time all COMMITs took. SQLite lets
 * another connection checkpoint instead, so one thread of its own does it for every file
 * the process has open, shortly after each file's commits.
 *
 * The committing connection keeps a checkpoint of its own at a higher threshold
 * (FOREGROUND_CHECKPOINT_PAGES). Only a checkpoint run by the writer itself lets the WAL
 * start over from its first page while commits keep coming, and by then the thread has
 * copied nearly every page, so it is short.
 */
export interface BackgroundCheckpoints {
  /** committed notes that the file has new pages in its WAL: one store, or a wake-up of the thread. */
  committed(): void;
  /** release stops checkpointing the file, once a checkpoint of it under way is over. */
  release(): Promise<void>;
}

/** The committing connection's own threshold, in pages (16 MB of WAL at SQLite's 4 KiB pages). */
export const FOREGROUND_CHECKPOINT_PAGES = 4_000;

/** SQLite's own checkpoint threshold, in pages, which a connection goes back to should the thread fail its file. */
const SQLITE_CHECKPOINT_PAGES = 1_000;

/**
 * checkpointOffThread hands the checkpoints of `client`'s file to the checkpoint thread,
 * keeping SQLite's own on commit as a backstop. The caller calls `committed` after each
 * COMMIT and `release` before closing the connection.
 *
 * @example const background = checkpointOffThread(client, '/data/orders.db'); commit.run(); background?.committed()
 */
export function checkpointOffThread(client: Database.Database, file: string): BackgroundCheckpoints | undefined {
  const background = checkpointInBackground(file, (reason) => {
    process.emitWarning(`${file}: checkpoints are back on the committing thread: ${reason}`);
    if (client.open) client.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
  });
  if (background) client.pragma(`wal_autocheckpoint = ${FOREGROUND_CHECKPOINT_PAGES}`);
  return background;
}

/** How long the thread waits after a commit, so that one checkpoint covers the commits of that time. */
const DELAY_MS = 100;

/** Files open at once in one process; a monolith opens five. Past this, a file checkpoints as SQLite does by itself. */
const SLOTS = 64;

interface Thread {
  worker: Worker;
  // [0] wakes the thread; [slot] is 1 while that file has commits not yet checkpointed.
  flags: Int32Array;
  free: number[];
  fallBack: Map<number, (reason: string) => void>;
  closing: Map<number, () => void>;
}

let thread: Thread | undefined;

/**
 * checkpointInBackground has the process's checkpoint thread checkpoint `file` after its
 * commits. `fallBack` is called, with why, should the thread fail the file; the caller
 * then lets SQLite checkpoint on commit again. Answers undefined when no slot is free.
 *
 * @example const background = checkpointInBackground('/data/orders.db', () => client.pragma('wal_autocheckpoint = 1000'))
 */
export function checkpointInBackground(file: string, fallBack: (reason: string) => void): BackgroundCheckpoints | undefined {
  thread ??= startThread();
  const t = thread;
  const slot = t.free.pop();
  if (slot === undefined) return undefined;
  t.fallBack.set(slot, fallBack);
  t.worker.postMessage({ open: slot, file });
  let released: Promise<void> | undefined;
  return {
    committed: () => {
      // After release the slot may be another file's.
      if (released || Atomics.load(t.flags, slot) === 1) return;
      Atomics.store(t.flags, slot, 1);
      Atomics.store(t.flags, 0, 1);
      Atomics.notify(t.flags, 0);
    },
    release: () => {
      released ??= new Promise<void>((resolve) => {
        t.fallBack.delete(slot);
        // Held while a release waits, so that a process awaiting its database's close is not left to exit first.
        t.worker.ref();
        t.closing.set(slot, () => {
          Atomics.store(t.flags, slot, 0);
          t.free.push(slot);
          if (t.closing.size === 0) t.worker.unref();
          resolve();
        });
        t.worker.postMessage({ close: slot });
      });
      return released;
    },
  };
}

function startThread(): Thread {
  const flags = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1)));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // tsx names functions through a helper of its own, which the thread's script must have too;
  // and bundlers rewrite `require`, so the script is handed the thread's own.
  const source = `const __name = (f) => f;\n(${checkpointThread.toString()})(require('node:worker_threads').workerData, require);`;
  // Not the process's flags: a loader or --input-type=module would turn the script into a module, without require.
  const worker = new Worker(source, { eval: true, execArgv: [], workerData: { driver, flags, delayMs: DELAY_MS } });
  // An idle thread must not keep the process alive.
  worker.unref();
  const t: Thread = { worker, flags, free: Array.from({ length: SLOTS }, (_, i) => SLOTS - i), fallBack: new Map(), closing: new Map() };
  worker.on('message', (m: { closed?: number; failed?: number; reason?: string }) => {
    if (m.closed !== undefined) {
      const done = t.closing.get(m.closed);
      t.closing.delete(m.closed);
      done?.();
    } else if (m.failed !== undefined) {
      t.fallBack.get(m.failed)?.(m.reason ?? 'unknown');
    }
  });
  // A thread that cannot run hands every file back to its own connection, and the next file starts a new one.
  const failAll = (reason: string) => {
    if (thread === t) thread = undefined;
    for (const fallBack of t.fallBack.values()) fallBack(reason);
    t.fallBack.clear();
    for (const done of t.closing.values()) done();
    t.closing.clear();
  };
  worker.on('error', (err) => failAll(err.message));
  worker.on('exit', (code) => failAll(`the checkpoint thread exited with code ${code}`));
  return t;
}

/**
 * checkpointThread is the thread's whole script, run from its source text: it may use
 * only its arguments. It holds a connection to each file and, woken by a
 * commit, waits DELAY_MS, then checkpoints every file with commits since its last round.
 * PASSIVE never waits for a lock and never blocks a writer: a file another connection
 * is checkpointing waits for the next round.
 */
function checkpointThread(
  { driver, flags, delayMs }: { driver: string; flags: Int32Array; delayMs: number },
  load: (id: string) => unknown,
): void {
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  const Database = load(driver) as typeof import('better-sqlite3');
  const port = parentPort!;
  const files = new Map<number, import('better-sqlite3').Database>();
  port.on('message', (m: { open?: number; file?: string; close?: number }) => {
    if (m.open !== undefined) {
      try {
        const db = new Database(m.file!, { fileMustExist: true });
        // Its pages are read once and written to the file, so it needs almost no cache.
        db.pragma('cache_size = -256');
        files.set(m.open, db);
      } catch (err) {
        port.postMessage({ failed: m.open, reason: (err as Error).message });
      }
    } else if (m.close !== undefined) {
      try {
        files.get(m.close)?.close();
      } catch {}
      files.delete(m.close);
      port.postMessage({ closed: m.close });
    }
  });
  const rounds = async () => {
    for (;;) {
      const woken = Atomics.waitAsync(flags, 0, 0);
      if (woken.async) await woken.value;
      Atomics.store(flags, 0, 0);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      for (const [slot, db] of files) {
        if (Atomics.exchange(flags, slot, 0) === 0) continue;
        try {
          const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number }[];
          // Another connection was checkpointing it: try again next round, not at its next commit.
          if (result?.busy) {
            Atomics.store(flags, slot, 1);
            Atomics.store(flags, 0, 1);
          }
        } catch (err) {
          files.delete(slot);
          try {
            db.close();
          } catch {}
          port.postMessage({ failed: slot, reason: (err as Error).message });
        }
      }
    }
  };
  void rounds();
}
