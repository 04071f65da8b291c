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

/**
 * abortAt is a signal that aborts at an epoch-ms deadline: at once if it has passed
 * (AbortSignal.timeout throws on a negative delay), and not before ~24 days from now.
 *
 * @example const signal = abortAt(Date.now() + 500)
 */
export function abortAt(deadline: number): AbortSignal {
  return AbortSignal.timeout(Math.min(Math.max(deadline - Date.now(), 0), LONGEST_TIMER_MS));
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
