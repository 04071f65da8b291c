import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import type { Dispatcher } from 'undici';
import { PortUnavailable } from '../contract/port-unavailable.js';
import type { Logger } from '../log/logger.js';
import { currentRequestId } from '../log/request-scope.js';
import { injectTrace } from '../observe/tracing.js';
import { type Instance, InstancePool, type InstanceState } from './instance-pool.js';
import type { ServiceTokens } from './service-token.js';
import { CallAbort, DEADLINE_HEADER, REQUEST_ID_HEADER, neverSent, rpcPath } from './wire.js';

export interface RemoteEndpointOptions {
  module: string;
  /** The module's instances. A function, so a loopback process can name itself once it listens. */
  urls: () => readonly string[];
  tokens: ServiceTokens;
  logger: Logger;
  /** Consecutive failures that open the breaker. */
  breakAfter?: number;
  /** How long an open breaker fails calls fast before it lets one through to test the module. */
  halfOpenAfterMs?: number;
  /** Calls in flight to this module at once, and calls that may wait for a slot. */
  maxConcurrent?: number;
  maxQueued?: number;
}

export interface CallRequest {
  caller: string;
  method: string;
  body: string;
  /** Epoch ms after which the answer is no use. */
  deadline: number;
  signal?: AbortSignal;
  /** The method may run twice with the effect of once, so a maybe-delivered call may be sent again. */
  retrySafe: boolean;
  /** Where to send it, when not a port method: `/_events/<module>`, say. */
  path?: string;
  /** Extra headers, such as the contract version the caller was built against. */
  headers?: Record<string, string>;
}

export interface CallReply {
  status: number;
  contentType: string;
  text: string;
}

/** What undici takes for a signal: an AbortSignal, or an emitter with `aborted` that emits 'abort'. */
export type RequestSignal = AbortSignal | (EventEmitter & { readonly aborted: boolean });

export interface ForwardRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Readable;
  signal?: RequestSignal;
  timeoutMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface EndpointState {
  breaker: BreakerState;
  instances: InstanceState[];
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The callee's own words for "not now": worth a breaker count, but the work may have begun. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * RemoteEndpoint is everything a process keeps for one remote module: its instances and
 * their keep-alive pools, one circuit breaker and one bulkhead. Port calls and forwarded
 * public requests to the module share them, so a module that is down fails fast for both.
 *
 * @example const payments = new RemoteEndpoint({ module: 'payments', urls: () => config.PAYMENTS_URL, tokens, logger })
 */
export class RemoteEndpoint {
  readonly module: string;
  private readonly instances: InstancePool;
  private readonly breaker;
  private readonly bulkhead;
  private readonly halfOpenAfterMs: number;
  /** Failures call() judged worth another attempt; the one retry policy asks it, so no call builds a policy of its own. */
  private readonly retryable = new WeakSet<Error>();
  private readonly retryPolicy;

  constructor(private readonly opts: RemoteEndpointOptions) {
    this.module = opts.module;
    this.instances = new InstancePool(opts.urls);
    this.halfOpenAfterMs = opts.halfOpenAfterMs ?? 2_000;
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof PortUnavailable),
      { halfOpenAfter: this.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.breakAfter ?? 5) },
    );
    this.breaker.onBreak(() => opts.logger.warn({ remote: this.module }, 'circuit breaker opened'));
    this.breaker.onReset(() => opts.logger.info({ remote: this.module }, 'circuit breaker closed'));
    this.bulkhead = bulkhead(opts.maxConcurrent ?? 64, opts.maxQueued ?? 256);
    this.retryPolicy = retry(
      handleWhen((err) => this.retryable.has(err)),
      { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 500 }) },
    );
  }

  /**
   * call sends one port call and returns the callee's reply. Transport failures become
   * PortUnavailable; a call known never to have arrived is tried again on another
   * instance, and a retry-safe one also after a maybe-delivered failure, within the deadline.
   */
  call(req: CallRequest): Promise<CallReply> {
    const retryable = (err: Error) =>
      err instanceof PortUnavailable &&
      !(err.cause instanceof BrokenCircuitError || err.cause instanceof BulkheadRejectedError) &&
      (err.reached === 'no' || req.retrySafe) &&
      !req.signal?.aborted &&
      Date.now() < req.deadline;
    // Once any attempt may have arrived, so may the call: a later refused attempt must not say 'no'.
    let mayHaveArrived = false;
    // Promise callbacks rather than async and await, here and in guarded: with async
    // context on, every promise runs hooks, and each await makes one more.
    return this.retryPolicy
      .execute(() =>
        this.guarded(() => this.attempt(req)).catch((err) => {
          if (!(err instanceof PortUnavailable && err.reached === 'no')) mayHaveArrived = true;
          if (err instanceof Error && retryable(err)) this.retryable.add(err);
          throw err;
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof PortUnavailable && err.reached === 'no' && mayHaveArrived) {
          throw new PortUnavailable(err.module, err.message, 'maybe', err.retryAfterSeconds, { cause: err.cause });
        }
        throw err;
      });
  }

  /**
   * forward sends a public request on to the module, streaming both ways. A body can be
   * streamed only once, so only a request without one is sent again, and only to another
   * instance after one that surely never got it.
   */
  async forward(req: ForwardRequest): Promise<Dispatcher.ResponseData> {
    const attempts = req.body ? 1 : Math.max(1, this.instances.all().length);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.guarded(() => this.forwardOnce(req));
      } catch (err) {
        if (attempt >= attempts || !(err instanceof PortUnavailable && err.reached === 'no') || err.cause instanceof BrokenCircuitError) {
          throw err;
        }
      }
    }
  }

  private async forwardOnce(req: ForwardRequest): Promise<Dispatcher.ResponseData> {
    const instance = this.instances.pick();
    try {
      const res = await instance.pool.request({
        method: req.method as Dispatcher.HttpMethod,
        path: req.path,
        headers: injectTrace({ ...req.headers }),
        body: req.body,
        signal: req.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      this.instances.restore(instance);
      return res;
    } catch (err) {
      // The client went away: nothing is wrong with the module, so no breaker count and no ejection.
      if (req.signal?.aborted) throw err;
      throw this.transportFailure(instance, err);
    }
  }

  /** fetchJson reads a public JSON document of the module, such as its /openapi.json. */
  async fetchJson<T>(path: string, timeoutMs = 2_000): Promise<T> {
    const res = await this.forward({ method: 'GET', path, headers: { accept: 'application/json' }, timeoutMs });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`${this.module} answered ${res.statusCode} for ${path}`);
    }
    return (await res.body.json()) as T;
  }

  /** probe asks every instance for /health, ejecting the silent and restoring the healthy. */
  async probe(timeoutMs = 1_000): Promise<EndpointState> {
    await Promise.all(
      this.instances.all().map(async (instance) => {
        try {
          const res = await instance.pool.request({ method: 'GET', path: '/health', signal: AbortSignal.timeout(timeoutMs) });
          await res.body.dump();
          if (res.statusCode === 200) this.instances.restore(instance);
          else this.instances.eject(instance);
        } catch {
          this.instances.eject(instance);
        }
      }),
    );
    return this.state();
  }

  state(): EndpointState {
    return { breaker: BREAKER_STATES[this.breaker.state], instances: this.instances.state() };
  }

  close(): Promise<void> {
    return this.instances.close();
  }

  /** guarded runs work inside the bulkhead and the breaker, turning their refusals into PortUnavailable. */
  private guarded<T>(work: () => Promise<T>): Promise<T> {
    return this.bulkhead.execute(() => this.breaker.execute(work)).catch((err: unknown) => {
      if (err instanceof BrokenCircuitError) {
        throw new PortUnavailable(this.module, 'its circuit breaker is open after repeated failures', 'no', Math.ceil(this.halfOpenAfterMs / 1000), { cause: err });
      }
      if (err instanceof BulkheadRejectedError) {
        throw new PortUnavailable(this.module, 'too many calls to it are already waiting', 'no', 1, { cause: err });
      }
      throw err;
    });
  }

  private async attempt(req: CallRequest): Promise<CallReply> {
    const remaining = req.deadline - Date.now();
    if (remaining <= 0) throw new PortUnavailable(this.module, 'the deadline passed before the call was sent', 'no');
    const instance = this.instances.pick();
    const token = this.opts.tokens.reusable(req.caller, this.module) ?? (await this.opts.tokens.mint(req.caller, this.module));
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      [DEADLINE_HEADER]: String(req.deadline),
      ...req.headers,
    };
    // The callee continues this trace: its spans and log lines carry the same trace id.
    injectTrace(headers);
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    let res: Dispatcher.ResponseData;
    let text: string;
    const abort = new CallAbort(req.deadline, req.signal);
    try {
      res = await instance.pool.request({
        method: 'POST',
        path: req.path ?? rpcPath(this.module, req.method),
        headers,
        body: req.body,
        signal: abort,
      });
      text = await res.body.text();
    } catch (err) {
      if (req.signal?.aborted) throw err;
      if (abort.timedOut) {
        throw new PortUnavailable(this.module, `no answer to ${req.method} within its deadline`, 'maybe', 1, { cause: err });
      }
      throw this.transportFailure(instance, err);
    } finally {
      abort.clear();
    }
    this.instances.restore(instance);
    const reply = { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text };
    if (UNAVAILABLE_STATUSES.has(reply.status)) {
      const retryAfter = Number(res.headers['retry-after']) || 1;
      throw new PortUnavailable(this.module, `${req.method} answered ${reply.status}`, 'maybe', retryAfter);
    }
    return reply;
  }

  private transportFailure(instance: Instance, err: unknown): PortUnavailable {
    this.instances.eject(instance);
    const reached = neverSent(err) ? 'no' : 'maybe';
    const reason = err instanceof Error ? err.message : String(err);
    this.opts.logger.warn({ remote: this.module, instance: instance.url, reached, err: reason }, 'remote call failed');
    return new PortUnavailable(this.module, `${instance.url} failed: ${reason}`, reached, 1, { cause: err });
  }
}
