/**
 * PortUnavailable means a remote module could not answer: the network, a dead or slow
 * instance, an open breaker. It is the one failure a port adds over a function call,
 * and the public API renders it as 503 with Retry-After.
 *
 * `reached` says whether the call may have had an effect. 'no' is a promise: the request
 * never left this process or was refused before the callee read it, so the caller may
 * undo its own steps at once. 'maybe' means the callee may have done the work.
 */
export class PortUnavailable extends Error {
  override readonly name = 'PortUnavailable';
  constructor(
    readonly module: string,
    detail: string,
    readonly reached: 'no' | 'maybe',
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

/**
 * definitelyNotReached tells whether a failed call is known to have had no effect.
 *
 * @example if (definitelyNotReached(err)) await catalog.release({ reservationId })
 */
export function definitelyNotReached(err: unknown): boolean {
  return err instanceof PortUnavailable && err.reached === 'no';
}
