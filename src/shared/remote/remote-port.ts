import { checkRaised, parseAt } from '../contract/boundary.js';
import { type AnyContract, type CallOptions, type Port, isRetrySafe } from '../contract/define-contract.js';
import { PortError } from '../contract/port-error.js';
import { assertPlainJson } from '../contract/plain-json.js';
import type { CallReply, RemoteEndpoint } from './remote-endpoint.js';
import { CONTRACT_VERSION_HEADER, CONTRACT_VERSION_MISMATCH } from './wire.js';

export interface RemotePortOptions {
  /** The module making the calls, named in its service token. */
  caller: string;
  /** Deadline for a call whose caller set none. */
  timeoutMs: number;
}

interface ProblemReply {
  code?: string;
  detail?: string;
  data?: Record<string, unknown>;
  requestId?: string;
  servedVersion?: unknown;
}

/**
 * RemoteCallFailed means the callee answered in a way the contract does not allow: a bug
 * or a version skew on one side. Like any bug it is a 500 at the edge, never retried.
 */
export class RemoteCallFailed extends Error {
  override readonly name: string = 'RemoteCallFailed';
}

/**
 * ContractVersionMismatch means the callee serves another version of the contract than
 * the caller was built against, and refused the call rather than misread it. The callee
 * is up, so it is no PortUnavailable: retrying or breaking the circuit would not help;
 * deploying both sides on one version does.
 */
export class ContractVersionMismatch extends RemoteCallFailed {
  override readonly name = 'ContractVersionMismatch';
  constructor(
    readonly module: string,
    readonly callerVersion: number,
    readonly servedVersion: number | undefined,
    where: string,
  ) {
    const served = servedVersion === undefined ? 'another version' : `version ${servedVersion}`;
    super(
      `${where} was refused: this caller is built against ${module} contract version ${callerVersion}, but ${module} serves ${served}. ` +
        `Run both on one version: redeploy this caller against ${served}, or keep ${module} instances of version ${callerVersion} running until it is.`,
    );
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteCallFailed(`${where} is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

/**
 * createRemotePort builds the HTTP adapter of a port from its contract alone. Input is
 * parsed before it leaves and output when it returns, a declared error comes back as
 * the same typed PortError the in-process adapter raises, and a transport failure is a
 * PortUnavailable. Every call names the contract version it was built against, and a
 * callee on another version answers with a ContractVersionMismatch.
 *
 * @example const payments = createRemotePort(paymentsContract, endpoint, { caller: 'orders', timeoutMs: 15_000 }) satisfies Port<typeof paymentsContract>
 */
export function createRemotePort<C extends AnyContract>(
  contract: C,
  endpoint: RemoteEndpoint,
  { caller, timeoutMs }: RemotePortOptions,
): Port<C> {
  const port: Record<string, (input: unknown, options?: CallOptions) => Promise<unknown>> = {};
  for (const [name, spec] of Object.entries(contract.methods)) {
    const where = `${contract.name}.${name}`;
    const retrySafe = isRetrySafe(spec);
    const inWhere = `${where} input`;
    const outWhere = `${where} output`;
    const errorWhere = `${where} error`;
    const headers = Object.freeze({ [CONTRACT_VERSION_HEADER]: String(contract.version) });
    /** answer reads the callee's reply: the output, or the error it names. */
    const answer = (reply: CallReply): unknown => {
      if (reply.status === 200) return parseAt(spec.output, parseJson(reply.text, outWhere), outWhere);
      const problem = ((reply.contentType.includes('json') ? parseJson(reply.text, errorWhere) : undefined) ??
        {}) as ProblemReply;
      const code = problem.code;
      if (reply.status === 409 && code === CONTRACT_VERSION_MISMATCH) {
        const served = typeof problem.servedVersion === 'number' ? problem.servedVersion : undefined;
        throw new ContractVersionMismatch(contract.name, contract.version, served, where);
      }
      const declared = code !== undefined && spec.errors?.includes(code) ? contract.errors[code] : undefined;
      if (declared) {
        const err = new PortError(contract.name, code!, declared.status, declared.title, problem.detail ?? declared.title, problem.data);
        throw checkRaised(contract, name, spec, err);
      }
      const ref = problem.requestId ? ` (request ${problem.requestId})` : '';
      throw new RemoteCallFailed(`${where} answered ${reply.status} ${code ?? ''}${ref}: ${problem.detail ?? reply.text.slice(0, 200)}`);
    };
    // Not an async function: with async context on every promise runs hooks, and an
    // await makes one more. A refused input still rejects rather than throws.
    port[name] = (input, options = {}) => {
      let body: string;
      try {
        const parsed = parseAt(spec.input, input, inWhere);
        // The same check strict mode makes in-process, so a Date fails here too rather than arriving as a string.
        assertPlainJson(parsed, inWhere);
        body = JSON.stringify(parsed);
      } catch (err) {
        return Promise.reject(err);
      }
      const deadline = options.deadline ?? Date.now() + timeoutMs;
      return endpoint.call({ caller, method: name, body, deadline, signal: options.signal, retrySafe, headers }).then(answer);
    };
  }
  return Object.freeze(port) as Port<C>;
}
