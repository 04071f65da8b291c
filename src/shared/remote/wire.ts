/** The headers internal RPC adds to a call. */
export const DEADLINE_HEADER = 'x-carve-deadline';
export const REQUEST_ID_HEADER = 'x-request-id';

/** Where a module's internal RPC lives in every process that hosts it. */
export const rpcPath = (module: string, method: string) => `/_rpc/${module}/${method}`;

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
