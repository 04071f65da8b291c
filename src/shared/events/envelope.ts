import { z } from 'zod';

/**
 * EventEnvelope is an event as it travels between modules, on every transport: the
 * outbox's id (the inbox dedupes on it), the publisher's type and version, the aggregate
 * that orders it, and the payload, which the subscriber parses with its own schema.
 */
export const EventEnvelope = z.strictObject({
  id: z.string().min(1).max(64),
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[A-Z][A-Za-z0-9]*$/).max(120),
  version: z.number().int().min(1).max(10_000),
  aggregateId: z.string().min(1).max(200),
  occurredAt: z.number().int().min(0).max(8.64e15),
  payload: z.unknown(),
  /** The W3C traceparent of the request that published it: handling continues that trace. */
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
});
export type EventEnvelope = z.output<typeof EventEnvelope>;

/** EventBatch is the body of `POST /_events/<module>`: events in publishing order. */
export const EventBatch = z.strictObject({ events: z.array(EventEnvelope).min(1).max(500) });

/** Failure is one failed attempt to deliver or handle an event, as stored and listed. */
export interface Failure {
  at: number;
  error: string;
}

/** Attempts keep this many errors each; older ones are dropped so a long outage cannot grow a row without bound. */
const KEEP_FAILURES = 20;

/** addFailure appends one failed attempt's error to a row's stored failures. */
export function addFailure(stored: string, error: string, at = Date.now()): string {
  const failures = JSON.parse(stored) as Failure[];
  failures.push({ at, error: error.slice(0, 1_000) });
  return JSON.stringify(failures.slice(-KEEP_FAILURES));
}

/** Retry delays double from a quarter second up to 30 s, with jitter so retries from many rows spread out. */
export function retryDelay(attempts: number): number {
  const ceiling = Math.min(30_000, 250 * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
