import type { AnyContract, ErrorCode } from './define-contract.js';

/**
 * PortError is a declared error of a contract: a typed value that crosses a port
 * unchanged in every mode. The HTTP edges render it as problem+json with its status.
 */
export class PortError<Code extends string = string> extends Error {
  override readonly name = 'PortError';
  constructor(
    readonly module: string,
    readonly code: Code,
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(detail);
  }

  get detail(): string {
    return this.message;
  }
}

/**
 * contractError builds a declared error of a contract, for an implementation to throw.
 *
 * @example throw contractError(catalogContract, 'OUT_OF_STOCK', `Only 2 of ${sku} left`, { productId, available: 2 })
 */
export function contractError<C extends AnyContract, K extends ErrorCode<C>>(
  contract: C,
  code: K,
  detail: string,
  data?: Record<string, unknown>,
): PortError<K> {
  const spec = contract.errors[code];
  if (!spec) throw new Error(`${contract.name} declares no error ${code}`);
  return new PortError(contract.name, code, spec.status, spec.title, detail, data);
}

/**
 * isContractError narrows an unknown error to one declared error of a contract.
 *
 * @example if (isContractError(err, catalogContract, 'OUT_OF_STOCK')) { ... }
 */
export function isContractError<C extends AnyContract, K extends ErrorCode<C>>(
  err: unknown,
  contract: C,
  code: K,
): err is PortError<K> {
  return err instanceof PortError && err.module === contract.name && err.code === code;
}
