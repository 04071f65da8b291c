import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<{ requestId: string }>();

/**
 * inRequestScope runs the rest of a request with its id in reach of code that has no
 * context object, such as a port client that must pass the id on to another process.
 *
 * @example await inRequestScope(c.var.requestId, next)
 */
export function inRequestScope<T>(requestId: string, work: () => T): T {
  return scope.run({ requestId }, work);
}

/** currentRequestId is the id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
