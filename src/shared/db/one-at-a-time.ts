/**
 * Lock is one SQLite connection's lock: work runs under it in turn, in the order it asked.
 * Called, it runs `work` and settles with its outcome.
 */
export interface Lock {
  <T>(work: () => T | Promise<T>): Promise<T>;
  /**
   * enter runs `start` once the lock is free (at once, if it is), handing it `leave`,
   * which it must call once it is done. It makes no promise of its own: a transaction
   * already has the one it answers with, and an order runs ten of them.
   */
  enter(start: (leave: () => void) => void): void;
}

/**
 * oneAtATime returns a lock under which work runs in turn, in the order it asked: how
 * one SQLite connection is shared. async-mutex did this before; its generator-compiled
 * runExclusive made about ten promises a transaction, which an order's ten transactions
 * paid for, each promise twice over with Node 20's async hooks on. Uncontended, this one
 * starts the work at once and makes one, or none through `enter`.
 *
 * @example const exclusive = oneAtATime(); await exclusive(() => work())
 */
export function oneAtATime(): Lock {
  let busy = false;
  const waiting: (() => void)[] = [];
  // Handed straight to the next in line, so nobody arriving meanwhile can cut in.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  };
  const enter = (start: (leave: () => void) => void) => {
    if (busy) {
      waiting.push(() => start(release));
      return;
    }
    busy = true;
    start(release);
  };
  const run = <T>(work: () => T | Promise<T>): Promise<T> => {
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(work());
    } catch (err) {
      pending = Promise.reject(err);
    }
    return pending.then(
      (value) => {
        release();
        return value;
      },
      (err: unknown) => {
        release();
        throw err;
      },
    );
  };
  const exclusive = <T>(work: () => T | Promise<T>): Promise<T> => {
    if (!busy) {
      busy = true;
      return run(work);
    }
    return new Promise<void>((turn) => waiting.push(turn)).then(() => run(work));
  };
  return Object.assign(exclusive, { enter });
}
