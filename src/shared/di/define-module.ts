import { type DependencyContainer, instanceCachingFactory } from 'tsyringe';
import type { AnyContract, Implementation } from '../contract/define-contract.js';
import { IMPLEMENTATION } from './tokens.js';

/**
 * CarveModule is what the composition root needs to host a module: its contract, the
 * contracts of the ports it calls, and one function that registers its internals.
 */
export interface CarveModule<C extends AnyContract = AnyContract> {
  readonly name: C['name'];
  readonly contract: C;
  /** Contracts whose ports this module calls. Drives start-up checks and the graph. */
  readonly uses: readonly AnyContract[];
  /**
   * register fills the module's own child container. It must register IMPLEMENTATION,
   * and may register ROUTES and LIFECYCLE. MODULE_DB, MODULE_LOGGER and every port are
   * already resolvable.
   */
  register(container: DependencyContainer): void;
}

/**
 * defineModule declares a module for the composition root.
 *
 * @example export const catalogModule = defineModule({ contract: catalogContract, uses: [], register })
 */
export function defineModule<C extends AnyContract>(spec: Omit<CarveModule<C>, 'name'>): CarveModule<C> {
  return { name: spec.contract.name, ...spec };
}

/**
 * provideImplementation registers a module's port implementation. The factory's return
 * type is checked against the contract, so the compiler proves the implementation and
 * every other adapter of the port are interchangeable.
 *
 * @example provideImplementation(container, catalogContract, (c) => c.resolve(CatalogService))
 */
export function provideImplementation<C extends AnyContract>(
  container: DependencyContainer,
  _contract: C,
  factory: (c: DependencyContainer) => Implementation<C>,
): void {
  container.register(IMPLEMENTATION, {
    useFactory: instanceCachingFactory((c) => factory(c) as unknown as Implementation<AnyContract>),
  });
}
