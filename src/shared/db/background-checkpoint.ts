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
 * Only a checkpoint run by the writer itself lets the WAL start over from its first page
 * while commits keep coming. So once a file's WAL holds RESTART_PAGES, the thread leaves
 * that file alone and asks its writer to checkpoint after its next COMMIT; by then the
 * thread has copied nearly every page, so that checkpoint is short, and with the thread
 * out of the way it cannot find the file busy and leave the WAL to grow.
 */
export interface BackgroundCheckpoints {
  /** committed notes that the file has new pages in its WAL, and checkpoints here when the thread has asked for it. */
  committed(): void;
  /** release stops checkpointing the file, once a checkpoint of it under way is over. */
  release(): Promise<void>;
}

/** The WAL's size, in pages, at which the writer checkpoints so that it starts over (16 MB at SQLite's 4 KiB pages). */
export const RESTART_PAGES = 4_000;

/** SQLite's own checkpoint threshold, in pages, which a connection goes back to should the thread fail its file. */
export const SQLITE_CHECKPOINT_PAGES = 1_000;

/**
 * checkpointOffThread hands the checkpoints of `client`'s file to the checkpoint thread.
 * SQLite's own checkpoint on commit stays as a last resort, should the thread stop
 * answering, at four times RESTART_PAGES. The caller calls `committed` after each COMMIT,
 * outside any transaction, and `release` before closing the connection.
 *
 * @example const background = checkpointOffThread(client, '/data/orders.db'); commit.run(); background?.committed()
 */
export function checkpointOffThread(client: Database.Database, file: string): BackgroundCheckpoints | undefined {
  const background = checkpointInBackground(
    file,
    () => client.pragma('wal_checkpoint(PASSIVE)'),
    (reason) => {
      process.emitWarning(`${file}: checkpoints are back on the committing thread: ${reason}`);
      if (client.open) client.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
    },
  );
  if (background) client.pragma(`wal_autocheckpoint = ${4 * RESTART_PAGES}`);
  return background;
}

/** How long the thread waits after a commit, so that one checkpoint covers the commits of that time. */
const DELAY_MS = 100;

/** Files open at once in one process; a monolith opens five. Past this, a file checkpoints as SQLite does by itself. */
const SLOTS = 64;

// The shared flags: [BELL] wakes the thread; [slot] is 1 while that file has commits not
// yet checkpointed; [SLOTS + slot] is 1 while the thread waits for the file's writer to checkpoint.
const BELL = 0;

interface Thread {
  worker: Worker;
  flags: Int32Array;
  free: number[];
  fallBack: Map<number, (reason: string) => void>;
  closing: Map<number, () => void>;
}

let thread: Thread | undefined;

function ring(flags: Int32Array): void {
  Atomics.store(flags, BELL, 1);
  Atomics.notify(flags, BELL);
}

/**
 * checkpointInBackground has the process's checkpoint thread checkpoint `file` after its
 * commits, and `checkpointHere` run on the writer when the WAL should start over.
 * `fallBack` is called, with why, should the thread fail the file; the caller then lets
 * SQLite checkpoint on commit again. Answers undefined when no slot is free.
 *
 * @example const background = checkpointInBackground(file, () => client.pragma('wal_checkpoint(PASSIVE)'), warn)
 */
export function checkpointInBackground(file: string, checkpointHere: () => void, fallBack: (reason: string) => void): BackgroundCheckpoints | undefined {
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
      if (released) return;
      if (Atomics.load(t.flags, SLOTS + slot) === 1) {
        // It runs among a COMMIT's listeners, which must not throw. A failed checkpoint loses
        // nothing: the WAL keeps every page, and the thread asks again once it sees the size.
        try {
          checkpointHere();
        } catch {}
        Atomics.store(t.flags, SLOTS + slot, 0);
        // The file's pages since are the thread's again, though no new commit has rung for them.
        ring(t.flags);
      }
      if (Atomics.load(t.flags, slot) === 1) return;
      Atomics.store(t.flags, slot, 1);
      ring(t.flags);
    },
    release: () => {
      released ??= new Promise<void>((resolve) => {
        t.fallBack.delete(slot);
        // Held while a release waits, so that a process awaiting its database's close is not left to exit first.
        t.worker.ref();
        t.closing.set(slot, () => {
          Atomics.store(t.flags, slot, 0);
          Atomics.store(t.flags, SLOTS + slot, 0);
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
  const flags = new Int32Array(new SharedArrayBuffer(4 * (2 * SLOTS + 1)));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // tsx names functions through a helper of its own, which the thread's script must have too;
  // and bundlers rewrite `require`, so the script is handed the thread's own.
  const source = `const __name = (f) => f;\n(${checkpointThread.toString()})(require('node:worker_threads').workerData, require);`;
  // Not the process's flags: a loader or --input-type=module would turn the script into a module, without require.
  const worker = new Worker(source, {
    eval: true,
    execArgv: [],
    workerData: { driver, flags, slots: SLOTS, delayMs: DELAY_MS, restartPages: RESTART_PAGES },
  });
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

interface ThreadData {
  driver: string;
  flags: Int32Array;
  slots: number;
  delayMs: number;
  restartPages: number;
}

/**
 * checkpointThread is the thread's whole script, run from its source text: it may use
 * only its arguments. It holds a connection to each file and, woken by a commit, waits
 * DELAY_MS, then checkpoints every file with commits since its last round. PASSIVE never
 * waits for a lock and never blocks a writer: a file another connection is checkpointing
 * waits for the next round.
 */
function checkpointThread({ driver, flags, slots, delayMs, restartPages }: ThreadData, load: (id: string) => unknown): void {
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
  const checkpoint = (slot: number, db: import('better-sqlite3').Database) => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number }[];
      if (result?.busy) {
        // Another connection was checkpointing it: try again next round, not at its next commit.
        // flags[0] is the bell (BELL, out of this script's reach); set, the next wait returns at once.
        Atomics.store(flags, slot, 1);
        Atomics.store(flags, 0, 1);
      } else if ((result?.log ?? 0) >= restartPages) {
        Atomics.store(flags, slots + slot, 1);
      }
    } catch (err) {
      files.delete(slot);
      try {
        db.close();
      } catch {}
      port.postMessage({ failed: slot, reason: (err as Error).message });
    }
  };
  const rounds = async () => {
    for (;;) {
      const woken = Atomics.waitAsync(flags, 0, 0);
      if (woken.async) await woken.value;
      Atomics.store(flags, 0, 0);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      for (const [slot, db] of files) {
        // Left alone while its writer is asked to checkpoint, so that the two never meet.
        if (Atomics.load(flags, slots + slot) === 1) continue;
        if (Atomics.exchange(flags, slot, 0) === 1) checkpoint(slot, db);
      }
    }
  };
  void rounds();
}
