/** Cached is a loader that runs once and remembers its result; `forget` makes the next call load again. */
export interface Cached<T> {
  (): Promise<T>;
  forget(): void;
}

/**
 * cachedUntilFailure runs `load` on first call and hands every later caller the same
 * promise. A failed load is forgotten, so a passing fault (a database still starting,
 * say) is retried on the next call rather than cached for the life of the process.
 *
 * @example const key = cachedUntilFailure(() => fetchKey()); await key(); key.forget();
 */
export function cachedUntilFailure<T>(load: () => Promise<T>): Cached<T> {
  let pending: Promise<T> | undefined;
  const get = (() => {
    if (!pending) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  }) as Cached<T>;
  get.forget = () => {
    pending = undefined;
  };
  return get;
}
