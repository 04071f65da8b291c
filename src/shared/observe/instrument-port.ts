import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AnyContract, CallOptions, Port } from '../contract/define-contract.js';
import { PortError } from '../contract/port-error.js';
import { PortUnavailable } from '../contract/port-unavailable.js';
import type { CallOutcome, CarveMetrics, PortMode } from './metrics.js';
import { tracer } from './tracing.js';

export interface InstrumentOptions {
  /** The calling module, or `edge` for the process's HTTP edge. */
  caller: string;
  mode: PortMode;
  metrics: CarveMetrics;
}

type Call = (input: unknown, options?: CallOptions) => Promise<unknown>;

function outcomeOf(err: unknown): CallOutcome {
  return err instanceof PortUnavailable ? 'unavailable' : 'error';
}

/**
 * instrumentPort times every call of a port into the port-call histogram and, when the
 * request's trace is being recorded, wraps it in a span naming caller, module, method,
 * mode and outcome. It changes nothing else: same input, same output, same errors.
 *
 * @example const catalog = instrumentPort(localCatalog, catalogContract, { caller: 'orders', mode: 'in-process', metrics })
 */
export function instrumentPort<C extends AnyContract>(port: Port<C>, contract: C, { caller, mode, metrics }: InstrumentOptions): Port<C> {
  const wrapped: Record<string, Call> = {};
  for (const method of Object.keys(contract.methods)) {
    const call = (port as Record<string, Call>)[method]!;
    // Label children bound once: observing then costs an array update, not a label lookup.
    const timers = {
      ok: metrics.portCalls.labels({ caller, module: contract.name, method, mode, outcome: 'ok' }),
      error: metrics.portCalls.labels({ caller, module: contract.name, method, mode, outcome: 'error' }),
      unavailable: metrics.portCalls.labels({ caller, module: contract.name, method, mode, outcome: 'unavailable' }),
    };
    const name = `${contract.name}.${method}`;
    const attributes = { 'carve.caller': caller, 'carve.module': contract.name, 'carve.method': method, 'carve.mode': mode };
    const kind = mode === 'remote' ? SpanKind.CLIENT : SpanKind.INTERNAL;

    // Promise callbacks, not an async function: with async context on, every promise runs
    // hooks, and the in-process port's whole overhead is a handful of them.
    const timed: Call = (input, options) => {
      const started = performance.now();
      return call(input, options).then(
        (output) => {
          timers.ok.observe((performance.now() - started) / 1e3);
          return output;
        },
        (err: unknown) => {
          timers[outcomeOf(err)].observe((performance.now() - started) / 1e3);
          throw err;
        },
      );
    };
    wrapped[method] = (input, options) => {
      const parent = trace.getActiveSpan();
      // A span of its own only where someone records the trace; otherwise the request's
      // trace id, already active, is all that logs and the callee need. A remote call
      // with no trace at all (a background loop) starts one, so both sides correlate.
      if (parent ? !parent.isRecording() : mode !== 'remote') return timed(input, options);
      return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
        try {
          const output = await timed(input, options);
          span.setAttribute('carve.outcome', 'ok');
          return output;
        } catch (err) {
          span.setAttribute('carve.outcome', outcomeOf(err));
          if (err instanceof PortError) span.setAttribute('carve.error', err.code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      });
    };
  }
  return Object.freeze(wrapped) as Port<C>;
}
