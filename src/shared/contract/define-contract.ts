import type { z } from 'zod';
import type { EventRef, EventSpec } from './define-event.js';

/** ErrorSpec describes one error a contract may raise: its HTTP status and the shape of its data. */
export interface ErrorSpec {
  status: number;
  title: string;
  data?: z.ZodType;
}

/** MethodSpec is one port method: schemas for input and output, the errors it may raise, and retry safety. */
export interface MethodSpec<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  E extends string = string,
> {
  input: I;
  output: O;
  /** Codes from the contract's `errors` that this method may raise. Anything else is a 500. */
  errors?: readonly E[];
  /** Calling twice has the effect of calling once, so a client may retry it. */
  idempotent?: boolean;
  /** An input field that makes repeated calls collapse into one (an order id, say): retry-safe too. */
  idempotencyKey?: keyof z.output<I> & string;
  summary?: string;
}

export interface Contract<
  N extends string = string,
  M extends Record<string, MethodSpec> = Record<string, MethodSpec>,
  E extends Record<string, ErrorSpec> = Record<string, ErrorSpec>,
  V extends Record<string, EventSpec> = Record<string, EventSpec>,
> {
  readonly name: N;
  readonly version: number;
  readonly errors: E;
  readonly methods: M;
  /** The events this module publishes, each named by its publisher. */
  readonly events: { readonly [K in keyof V]: EventRef<V[K]['payload']> };
}

// biome-ignore lint/suspicious/noExplicitAny: variance escape hatch for "any contract"
export type AnyContract = Contract<string, Record<string, MethodSpec<any, any, any>>, Record<string, ErrorSpec>, Record<string, EventSpec<any>>>;

/** CallOptions travel with every port call, in-process or remote. */
export interface CallOptions {
  /** Epoch milliseconds after which the caller no longer wants the answer. */
  deadline?: number;
  signal?: AbortSignal;
}

/**
 * throwIfUnwanted throws, as an aborted signal does, when the caller no longer waits for
 * the answer: its signal has aborted or its deadline has passed. It reads a signal only
 * if the caller passed one: the rpc server makes its own when first read (a controller
 * and a timer, ~10 µs a call), and that one aborts only at the deadline, checked here
 * without it.
 *
 * @example throwIfUnwanted(options); // before holding stock for a caller that may have gone
 */
export function throwIfUnwanted(options: CallOptions): void {
  const given = Object.getOwnPropertyDescriptor(options, 'signal');
  if (given && 'value' in given) (given.value as AbortSignal | undefined)?.throwIfAborted();
  if (options.deadline !== undefined && options.deadline <= Date.now()) {
    throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  }
}

/** Port is the callable face of a contract: one async function per method, typed from its schemas. */
export type Port<C extends AnyContract> = {
  readonly [K in keyof C['methods']]: (
    input: z.input<C['methods'][K]['input']>,
    options?: CallOptions,
  ) => Promise<z.output<C['methods'][K]['output']>>;
};

/** Implementation is what a module writes: it receives parsed input and returns the output before parsing. */
export type Implementation<C extends AnyContract> = {
  readonly [K in keyof C['methods']]: (
    input: z.output<C['methods'][K]['input']>,
    options: CallOptions,
  ) => Promise<z.input<C['methods'][K]['output']>>;
};

export type ErrorCode<C extends AnyContract> = keyof C['errors'] & string;

/**
 * method declares one port method. Keeping it a function lets TypeScript check
 * `idempotencyKey` against the input schema.
 *
 * @example method({ input: z.object({ id: z.string() }), output: Product, errors: ['PRODUCT_NOT_FOUND'], idempotent: true })
 */
export function method<I extends z.ZodType, O extends z.ZodType, const E extends readonly string[] = readonly []>(
  spec: Omit<MethodSpec<I, O>, 'errors'> & { errors?: E },
): MethodSpec<I, O, E[number]> {
  return spec as MethodSpec<I, O, E[number]>;
}

/**
 * defineContract declares a module's public contract as data. The same object drives
 * the in-process adapter, the HTTP server binding and the HTTP client.
 *
 * @example export const catalogContract = defineContract({ name: 'catalog', version: 1, errors: {...}, methods: {...} })
 */
export function defineContract<
  const N extends string,
  const E extends Record<string, ErrorSpec>,
  const M extends Record<string, MethodSpec<z.ZodType, z.ZodType, string>>,
  const V extends Record<string, EventSpec> = Record<never, EventSpec>,
>(contract: {
  name: N;
  version: number;
  errors: E;
  // Each method may list only codes the contract declares.
  methods: M & { [K in keyof M]: { errors?: readonly (keyof E & string)[] } };
  events?: V;
}): Contract<N, M, E, V> {
  for (const [name, spec] of Object.entries(contract.methods)) {
    for (const code of spec.errors ?? []) {
      if (!(code in contract.errors)) {
        throw new Error(`${contract.name}.${name} lists error ${code}, which the contract does not declare`);
      }
    }
  }
  const events = Object.fromEntries(
    Object.entries(contract.events ?? {}).map(([name, spec]) => [
      name,
      Object.freeze({ ...spec, module: contract.name, name, type: `${contract.name}.${name}` }),
    ]),
  );
  return Object.freeze({ ...contract, events }) as unknown as Contract<N, M, E, V>;
}

/** isRetrySafe tells whether a client may send the same call again after a failure. */
export function isRetrySafe(spec: MethodSpec): boolean {
  return spec.idempotent === true || spec.idempotencyKey !== undefined;
}
