/**
 * oneAtATime returns a lock under which work runs in turn, in the order it asked: how
 * one SQLite connection is shared. async-mutex did this before; its generator-compiled
 * runExclusive made about ten promises a transaction, which an order's ten transactions
 * paid for, each promise twice over with Node 20's async hooks on. Uncontended, this one
 * starts the work at once and makes one.
 *
 * @example const exclusive = oneAtATime(); await exclusive(() => work())
 */
export function oneAtATime(): <T>(work: () => T | Promise<T>) => Promise<T> {
  let busy = false;
  const waiting: (() => void)[] = [];
  // Handed straight to the next in line, so nobody arriving meanwhile can cut in.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
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
  return (work) => {
    if (!busy) {
      busy = true;
      return run(work);
    }
    return new Promise<void>((turn) => waiting.push(turn)).then(() => run(work));
  };
}
