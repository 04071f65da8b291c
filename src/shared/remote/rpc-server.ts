import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BoundaryViolation } from '../contract/boundary.js';
import type { AnyContract, CallOptions, Port } from '../contract/define-contract.js';
import { PortError } from '../contract/port-error.js';
import { quickCheck } from '../contract/plain-json.js';
import { HttpProblem, notFound } from '../errors/http-problem.js';
import { PROBLEM_CONTENT_TYPE, renderProblem } from '../errors/problem-json.js';
import type { AppEnv } from '../http/app-env.js';
import { verifyServiceCall } from './service-auth.js';
import type { ServiceTokens } from './service-token.js';
import { CONTRACT_VERSION_HEADER, CONTRACT_VERSION_MISMATCH, DEADLINE_HEADER, type DeadlineSignal, abortAt } from './wire.js';

/** RpcBinding is one hosted module as internal RPC serves it: its contract and its in-process port. */
export interface RpcBinding {
  contract: AnyContract;
  port: () => Port<AnyContract>;
}

const deadlineExceeded = (module: string) =>
  new HttpProblem(504, 'DEADLINE_EXCEEDED', 'Deadline exceeded', `The caller's deadline passed before ${module} answered`);

function readDeadline(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  // Digits only: Number() reads '', ' ' and '0x10' as numbers too, and a garbled header
  // must be a 400, not a deadline long past.
  const deadline = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(deadline)) throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', `${DEADLINE_HEADER} must be epoch milliseconds`);
  return deadline;
}

/**
 * checkCallerVersion refuses a call made for another version of the contract than the
 * one this process serves: during a rolling deploy a caller on the old version must be
 * told so, not have its call read by the new schemas. A caller that sends no version
 * (a hand-made call, an older Carve) is taken to be on the served version.
 */
function checkCallerVersion(raw: string | undefined, contract: AnyContract): void {
  if (raw === undefined) return;
  if (!/^\d+$/.test(raw)) throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', `${CONTRACT_VERSION_HEADER} must be a whole number`);
  const callerVersion = Number(raw);
  const servedVersion = contract.version;
  if (callerVersion === servedVersion) return;
  const module = contract.name;
  throw new HttpProblem(
    409,
    CONTRACT_VERSION_MISMATCH,
    'Contract version mismatch',
    `This process serves ${module} contract version ${servedVersion}; the caller was built against version ${callerVersion}. ` +
      `Deploy the caller on ${module} contract version ${servedVersion}, or keep ${module} instances of version ${callerVersion} running until every caller has moved.`,
    { module, callerVersion, servedVersion },
  );
}

/**
 * DeadlineOptions are a call's options with a deadline: the signal that aborts at it is
 * made when first read, since an AbortSignal costs ~10 µs to make on Node 20 and most
 * methods never look at it. A class rather than an object literal with a getter, which V8
 * cannot copy from a template: in five paired runs it took about 0.01 of the floor (under
 * 1 µs) off an rpc call.
 */
class DeadlineOptions implements CallOptions {
  private timeout: DeadlineSignal | undefined;
  constructor(readonly deadline: number) {}
  get signal(): AbortSignal {
    this.timeout ??= abortAt(this.deadline);
    return this.timeout.signal;
  }
  clear(): void {
    this.timeout?.clear();
  }
}

/** Far deeper than any contract's input; deeper only exhausts the stack of whatever walks it. */
const MAX_INPUT_DEPTH = 64;

const isFiniteIfNumber = (node: unknown) => typeof node !== 'number' || Number.isFinite(node);

/**
 * wireInputProblem finds what JSON.parse accepts but no port input can be: a number too
 * large to be finite (1e999), or nesting deep enough to overflow a recursive check. The
 * walk is iterative so the check cannot overflow itself; it runs only when the quick
 * check has not vouched for the input.
 */
export function wireInputProblem(input: unknown): string | undefined {
  if (quickCheck(input, isFiniteIfNumber)) return undefined;
  const stack: [unknown, number][] = [[input, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) return 'The body holds a number too large to represent';
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `The body nests deeper than ${MAX_INPUT_DEPTH} levels`;
    for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return undefined;
}

/**
 * rpcRoutes serves internal RPC for the modules a process hosts, at
 * POST /_rpc/<module>/<method>. Every call needs a service token for that module,
 * wherever the process runs. The call goes through the module's in-process port, so
 * input and output are parsed exactly as they are in-process, and a declared error
 * travels as problem+json carrying its code and data. A caller built against another
 * version of the contract is refused with a 409 CONTRACT_VERSION_MISMATCH.
 *
 * @example app.route('/_rpc', rpcRoutes(bindings, tokens))
 */
export function rpcRoutes(bindings: RpcBinding[], tokens: ServiceTokens | undefined): Hono<AppEnv> {
  const byName = new Map(bindings.map((b) => [b.contract.name, b]));
  const rpc = new Hono<AppEnv>();
  rpc.post('/:module/:method', async (c) => {
    const { module, method } = c.req.param();
    const verified = verifyServiceCall(c, tokens, module);
    const caller = verified instanceof Promise ? await verified : verified;
    const binding = byName.get(module);
    if (!binding) throw notFound(`This process serves no ${module}.${method}`);
    // Before the method lookup: a method gone in this version is a version mismatch to its old callers.
    checkCallerVersion(c.req.header(CONTRACT_VERSION_HEADER), binding.contract);
    if (!Object.hasOwn(binding.contract.methods, method)) throw notFound(`This process serves no ${module}.${method}`);
    const logger = c.get('logger');
    // Asked first: the line's fields would be built on every call, to be thrown away at info.
    if (logger?.isLevelEnabled('debug')) logger.debug({ caller: caller.module, call: `${module}.${method}` }, 'rpc');

    const deadline = readDeadline(c.req.header(DEADLINE_HEADER));
    if (deadline !== undefined && deadline <= Date.now()) throw deadlineExceeded(module);
    let input: unknown;
    try {
      input = await c.req.json();
    } catch {
      throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', 'The body is not JSON');
    }
    const problem = wireInputProblem(input);
    if (problem) throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', problem);
    // Reading the body takes time too: a deadline that passed meanwhile is a 504 like any other.
    if (deadline !== undefined && deadline <= Date.now()) throw deadlineExceeded(module);
    // The work stops being wanted at the deadline: the options' signal tells the implementation so.
    const timed = deadline === undefined ? undefined : new DeadlineOptions(deadline);
    const options: CallOptions = timed ?? {};
    try {
      const fn = (binding.port() as Record<string, (input: unknown, options: CallOptions) => Promise<unknown>>)[method]!;
      return c.json(await fn(input, options));
    } catch (err) {
      if (err instanceof PortError) {
        const rendered = renderProblem(err, c.get('requestId'));
        const body = { ...rendered.body, data: err.data };
        return c.body(JSON.stringify(body), err.status as ContentfulStatusCode, { 'content-type': PROBLEM_CONTENT_TYPE });
      }
      if (err instanceof BoundaryViolation && err.where === `${module}.${method} input`) {
        throw new HttpProblem(400, 'BOUNDARY_VIOLATION', 'Input breaks the contract', err.message);
      }
      if (deadline !== undefined && deadline <= Date.now()) throw deadlineExceeded(module);
      throw err;
    } finally {
      // Answered: nobody waits for the deadline any more, so its timer need not live until then.
      timed?.clear();
    }
  });
  return rpc;
}
