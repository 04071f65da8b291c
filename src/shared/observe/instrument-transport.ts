import type { EventTransport } from '../events/transport.js';
import type { CarveMetrics } from './metrics.js';

/**
 * instrumentTransport times each hand-over of events from a publisher's outbox to one
 * subscriber. Each event counts once, with the time its batch took, so the rate on an
 * event edge is events per second whatever the batching.
 *
 * @example const timed = instrumentTransport(natsTransport, { publisher: 'orders', subscriber: 'notifications', metrics })
 */
export function instrumentTransport(
  transport: EventTransport,
  { publisher, subscriber, metrics }: { publisher: string; subscriber: string; metrics: CarveMetrics },
): EventTransport {
  const labels = (outcome: string) => metrics.eventDeliveries.labels({ publisher, subscriber, transport: transport.kind, outcome });
  const timers = { ok: labels('ok'), error: labels('error'), unavailable: labels('unavailable') };
  return {
    kind: transport.kind,
    close: transport.close && (() => transport.close!()),
    async deliver(events) {
      const started = performance.now();
      const observe = (timer: (typeof timers)[keyof typeof timers], count: number) => {
        const seconds = (performance.now() - started) / 1e3;
        for (let i = 0; i < count; i++) timer.observe(seconds);
      };
      try {
        const outcomes = await transport.deliver(events);
        const refused = outcomes.filter((o) => !o.ok).length;
        observe(timers.ok, outcomes.length - refused);
        observe(timers.error, refused);
        return outcomes;
      } catch (err) {
        observe(timers.unavailable, events.length);
        throw err;
      }
    },
  };
}
