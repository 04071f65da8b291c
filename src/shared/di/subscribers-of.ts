import type { CarveModule } from './define-module.js';

/**
 * subscribersOf names, for each event type, the modules that subscribe to it, sorted,
 * wherever they run: the outbox writes one delivery per subscriber, placement checks
 * each can be reached, and the architecture document draws each flow.
 *
 * @example subscribersOf(ALL_MODULES)('orders.OrderPaid') // ['notifications']
 */
export function subscribersOf(modules: readonly CarveModule[]): (type: string) => readonly string[] {
  const map = new Map<string, string[]>();
  for (const m of modules) for (const ref of m.subscribes ?? []) map.set(ref.type, [...(map.get(ref.type) ?? []), m.name]);
  for (const names of map.values()) names.sort();
  return (type) => map.get(type) ?? [];
}
