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
 * checkEnvelope says why a subscriber cannot take an event, or undefined if it can:
 * an event it does not subscribe to, a version it does not know, or a payload its
 * schema refuses. Every transport asks before an event enters the inbox.
 */
export function checkEnvelope(subscriptions: ReadonlyMap<string, Subscription>, event: EventEnvelope): string | undefined {
  const sub = subscriptions.get(event.type);
  if (!sub) return `this module does not subscribe to ${event.type}`;
  if (event.version !== sub.ref.version) return `${event.type} version ${event.version} is not the version ${sub.ref.version} this module handles`;
  const parsed = sub.ref.payload.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${event.type} payload is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
  }
  return undefined;
}
