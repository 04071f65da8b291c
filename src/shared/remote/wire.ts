import { EventEmitter } from 'node:events';

/** The headers internal RPC adds to a call. */
export const DEADLINE_HEADER = 'x-carve-deadline';
export const REQUEST_ID_HEADER = 'x-request-id';
/**
 * The contract version the caller was built against. The callee refuses a call made for
 * another version (409 CONTRACT_VERSION_MISMATCH) rather than misread it; a call without
 * the header is taken to be for the version it serves.
 */
export const CONTRACT_VERSION_HEADER = 'x-carve-contract-version';
/** The problem code of that refusal, which the caller turns into a ContractVersionMismatch. */
export const CONTRACT_VERSION_MISMATCH = 'CONTRACT_VERSION_MISMATCH';

/** Where a module's internal RPC lives in every process that hosts it. */
export const rpcPath = (module: string, method: string) => `/_rpc/${module}/${method}`;

/** The longest delay a Node timer keeps: a longer one fires after 1 ms, with a TimeoutOverflowWarning. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** DeadlineSignal aborts at a deadline; clear stops its timer once the work it guards is over. */
export interface DeadlineSignal {
  signal: AbortSignal;
  clear(): void;
}

/**
 * abortAt is a signal that aborts at an epoch-ms deadline: at once if it has passed, and
 * not before ~24 days from now. It aborts with the TimeoutError AbortSignal.timeout
 * would, but is a controller and a plain timer: on Node 20 AbortSignal.timeout costs
 * tens of µs a call (a transferable signal, a weak ref, a GC registry) and lives until it
 * fires, which on a port call was a tenth of the whole loopback round trip.
 *
 * @example const timeout = abortAt(Date.now() + 500); try { await work(timeout.signal) } finally { timeout.clear() }
 */
export function abortAt(deadline: number): DeadlineSignal {
  // Already past, it is aborted from the start, so a signal made late still reads aborted.
  if (deadline <= Date.now()) return { signal: AbortSignal.abort(timeoutReason()), clear: () => {} };
  const controller = new AbortController();
  const timer = deadlineTimer(deadline, () => controller.abort(timeoutReason()));
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

const timeoutReason = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

function deadlineTimer(deadline: number, fire: () => void): NodeJS.Timeout {
  const timer = setTimeout(fire, Math.min(Math.max(deadline - Date.now(), 0), LONGEST_TIMER_MS));
  // Like AbortSignal.timeout's, the timer alone does not keep the process alive.
  timer.unref();
  return timer;
}

/**
 * CallAbort is the signal an outgoing undici request is given: it aborts at the deadline,
 * with the TimeoutError abortAt's signal carries, or when the caller's own signal aborts,
 * with its reason. undici takes an EventEmitter for a signal and reads `aborted` and
 * `reason` off it as off an AbortSignal, so the request fails exactly as it would with
 * AbortSignal.any([abortAt(deadline), caller]); but an emitter is cheap to make, where an
 * AbortSignal is a transferable EventTarget and AbortSignal.any holds weak refs on both.
 *
 * @example const abort = new CallAbort(deadline, caller); try { await pool.request({ ..., signal: abort }) } finally { abort.clear() }
 */
export class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  /** The deadline passed first, rather than the caller giving up. */
  timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    deadline: number,
    private readonly caller?: AbortSignal,
  ) {
    super();
    this.timer = deadlineTimer(deadline, () => {
      if (!this.aborted) this.timedOut = true;
      this.abort(timeoutReason());
    });
    if (caller?.aborted) this.abort(caller.reason);
    else caller?.addEventListener('abort', this.onCallerAbort);
  }

  /** clear stops the timer and stops following the caller's signal, once the call is over. */
  clear(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = () => this.abort(this.caller!.reason);

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** Connection errors that prove a request never reached the other side. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** neverSent tells whether a transport error happened before any byte of the request left. */
export function neverSent(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return code !== undefined && NEVER_SENT.has(code);
}
