import { type DependencyContainer, instanceCachingFactory } from 'tsyringe';
import type { AnyContract, Implementation } from '../contract/define-contract.js';
import type { EventPayload, EventRef } from '../contract/define-event.js';
import type { Dialect } from '../db/module-db.js';
import type { EventHandler } from '../events/subscriptions.js';
import { EVENT_HANDLERS, IMPLEMENTATION } from './tokens.js';

/**
 * CarveModule is what the composition root needs to host a module: its contract, the
 * contracts of the ports it calls, and one function that registers its internals.
 */
export interface CarveModule<C extends AnyContract = AnyContract> {
  readonly name: C['name'];
  readonly contract: C;
  /** Contracts whose ports this module calls. Drives start-up checks and the graph. */
  readonly uses: readonly AnyContract[];
  /** Events of other modules this module handles; each needs a handler registered with handleEvent. */
  readonly subscribes?: readonly EventRef[];
  /** Where its drizzle-kit migrations are, per dialect, when not `migrations/<name>/<dialect>`: a module defined outside the app, as in a test. */
  readonly migrations?: (dialect: Dialect) => string;
  /**
   * register fills the module's own child container. It must register IMPLEMENTATION,
   * and may register ROUTES, LIFECYCLE and event handlers. MODULE_DB, MODULE_LOGGER,
   * OUTBOX and every port are already resolvable.
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

/**
 * handleEvent registers the module's handler for one event it subscribes to. The handler
 * runs in the module's own transaction (`ctx.q`), with the inbox marking the event
 * handled in the same transaction, so its effect happens once however often it arrives.
 *
 * @example handleEvent(container, ordersContract.events.OrderPaid, (c) => (paid, { q }) => c.resolve(Notices).orderPaid(q, paid))
 */
export function handleEvent<E extends EventRef>(
  container: DependencyContainer,
  ref: E,
  factory: (c: DependencyContainer) => EventHandler<EventPayload<E>>,
): void {
  let handler: EventHandler<EventPayload<E>> | undefined;
  container.register(EVENT_HANDLERS, {
    useValue: {
      ref,
      handler: (payload, ctx) => {
        handler ??= factory(container);
        return handler(payload as EventPayload<E>, ctx);
      },
    },
  });
}
