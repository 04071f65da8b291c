import type { AnyContract, CallOptions, Implementation, Port } from './define-contract.js';
import { checkRaised, parseAt } from './boundary.js';
import { toWire } from './plain-json.js';

export interface LocalPortOptions {
  /** Round-trip every value through JSON and reject what JSON would change. On under test. */
  strict: boolean;
}

/**
 * createLocalPort wraps a module's implementation in the in-process adapter. Input and
 * output are parsed against the contract on every call, as they are over HTTP, so a
 * module behaves the same wherever its callee runs.
 *
 * @example const catalog = createLocalPort(catalogContract, catalogService, { strict: true })
 */
export function createLocalPort<C extends AnyContract>(
  contract: C,
  impl: Implementation<C>,
  { strict }: LocalPortOptions,
): Port<C> {
  const port: Record<string, (input: unknown, options?: CallOptions) => Promise<unknown>> = {};
  for (const [name, spec] of Object.entries(contract.methods)) {
    const call = (impl as Record<string, (input: unknown, options: CallOptions) => Promise<unknown>>)[name];
    if (typeof call !== 'function') throw new Error(`${contract.name} implementation lacks method ${name}`);
    const inWhere = `${contract.name}.${name} input`;
    const outWhere = `${contract.name}.${name} output`;
    const checkOutput = (output: unknown) => parseAt(spec.output, strict ? toWire(output, outWhere) : output, outWhere);
    const checkError = (err: unknown) => {
      throw checkRaised(contract, name, spec, err);
    };
    // Not an async function: with async context on (tracing, request scope) every promise
    // runs hooks, and an async wrapper with an await makes two more a call than this.
    port[name] = (input, options = {}) => {
      let parsed: unknown;
      try {
        parsed = parseAt(spec.input, strict ? toWire(input, inWhere) : input, inWhere);
      } catch (err) {
        return Promise.reject(err);
      }
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(call.call(impl, parsed, options));
      } catch (err) {
        pending = Promise.reject(err);
      }
      return pending.then(checkOutput, checkError);
    };
  }
  return Object.freeze(port) as Port<C>;
}
