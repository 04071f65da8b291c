import type { EventRef } from '../contract/define-event.js';
import type { Queryable } from '../db/module-db.js';
import type { EventEnvelope } from './envelope.js';

/** HandlerContext is what a handler gets besides the payload: the transaction its effect must use. */
export interface HandlerContext {
  /** The subscriber's own transaction: the inbox marks the event handled in it, so the effect happens once. */
  q: Queryable;
  event: EventEnvelope;
}

export type EventHandler<P = unknown> = (payload: P, ctx: HandlerContext) => Promise<void>;

/** Subscription pairs a declared event with the subscriber's handler. */
export interface Subscription {
  ref: EventRef;
  handler: EventHandler;
}

/**
 * readEnvelope parses an event for a subscriber: its handler and payload, or why it
 * cannot take it: an event it does not subscribe to, a version it does not know, or a
 * payload its schema refuses.
 */
export function readEnvelope(
  subscriptions: ReadonlyMap<string, Subscription>,
  event: EventEnvelope,
): { sub: Subscription; payload: unknown } | { refusal: string } {
  const sub = subscriptions.get(event.type);
  if (!sub) return { refusal: `this module does not subscribe to ${event.type}` };
  if (event.version !== sub.ref.version) {
    return { refusal: `${event.type} version ${event.version} is not the version ${sub.ref.version} this module handles` };
  }
  const parsed = sub.ref.payload.safeParse(event.payload);
  if (parsed.success) return { sub, payload: parsed.data };
  const issue = parsed.error.issues[0];
  return { refusal: `${event.type} payload is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
}

/** checkEnvelope says why a subscriber cannot take an event, or undefined if it can. Every transport asks before an event enters the inbox. */
export function checkEnvelope(subscriptions: ReadonlyMap<string, Subscription>, event: EventEnvelope): string | undefined {
  const read = readEnvelope(subscriptions, event);
  return 'refusal' in read ? read.refusal : undefined;
}
