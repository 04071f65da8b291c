import type { z } from 'zod';

/** EventSpec declares one event a module publishes: a versioned payload schema and the field naming its aggregate. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  /** Raised when the payload changes shape; a subscriber refuses a version it does not know. */
  version: number;
  payload: P;
  /** The payload field naming the aggregate: events with one aggregate are handled in order. */
  aggregate: string;
  summary?: string;
}

/** EventRef is a declared event as other modules see it, named by its publisher: `orders.OrderPaid`. */
export interface EventRef<P extends z.ZodType = z.ZodType> extends EventSpec<P> {
  readonly module: string;
  readonly name: string;
  /** `<module>.<Name>`: what outboxes, inboxes and the wire call the event. */
  readonly type: string;
}

/**
 * event declares an event in a contract's `events`. Keeping it a function lets TypeScript
 * check `aggregate` against the payload schema.
 *
 * @example event({ version: 1, payload: z.object({ orderId: Id }), aggregate: 'orderId' })
 */
export function event<P extends z.ZodType>(spec: {
  version: number;
  payload: P;
  aggregate: keyof z.output<P> & string;
  summary?: string;
}): EventSpec<P> {
  return spec;
}

/** EventPayload is the parsed payload type of a declared event. */
export type EventPayload<E extends EventSpec> = z.output<E['payload']>;

/** aggregateOf reads the aggregate id out of a parsed payload. */
export function aggregateOf(ref: EventSpec, payload: unknown): string {
  return String((payload as Record<string, unknown>)[ref.aggregate]);
}
