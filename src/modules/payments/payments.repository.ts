import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { literalLimit } from '../../shared/db/literal-limit.js';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { p as at, prepared, v } from '../../shared/db/prepared.js';
import type { Payment } from './contract.js';
import { type PaymentsTables, paymentsTables } from './payments.tables.js';

export type PaymentRow = PaymentsTables['payments']['$inferSelect'];
/** The processor's answer as the payment row keeps it. */
export interface Outcome {
  status: Payment['status'];
  processorRef: string | null;
  failureReason: string | null;
}

/** paymentQueries are the queries every charge runs, built once per handle (see prepared). */
function paymentQueries({ payments: p }: PaymentsTables) {
  const outcome = (name: string, clearToken: boolean) =>
    prepared<PaymentRow[]>((q) =>
      q
        .update(p)
        .set({
          status: v('status'),
          processorRef: v('processorRef'),
          failureReason: v('failureReason'),
          // Once the outcome is known the token is of no more use: it is not kept.
          ...(clearToken ? { paymentToken: null } : {}),
          updatedAt: v('updatedAt'),
        })
        .where(and(eq(p.id, at('id')), eq(p.status, 'pending')))
        .returning()
        .prepare(name),
    );
  return {
    insertPending: prepared<PaymentRow[]>((q) =>
      q
        .insert(p)
        .values({
          id: at('id'),
          orderId: at('orderId'),
          userId: at('userId'),
          amountCents: at('amountCents'),
          currency: at('currency'),
          status: at('status'),
          processorRef: at('processorRef'),
          failureReason: at('failureReason'),
          paymentToken: at('paymentToken'),
          attempts: at('attempts'),
          createdAt: at('createdAt'),
          updatedAt: at('updatedAt'),
        })
        .onConflictDoNothing({ target: p.orderId })
        .returning()
        .prepare('payments_insert_pending'),
    ),
    settled: outcome('payments_settled', true),
    stillPending: outcome('payments_still_pending', false),
  };
}

/**
 * PaymentsRepository is payments' SQL, written once for SQLite and Postgres. The unique
 * order id and status-guarded updates decide who may call the processor, so two
 * racing charges of one order can never both reach it.
 */
export class PaymentsRepository {
  readonly t: PaymentsTables;
  private readonly q: ReturnType<typeof paymentQueries>;
  constructor(readonly db: ModuleDb) {
    this.t = paymentsTables(db.dialect);
    this.q = paymentQueries(this.t);
  }

  /** insertPending adds the row unless the order already has one; it returns the new row, or nothing. */
  insertPending(q: Queryable, row: PaymentRow): Promise<PaymentRow | undefined> {
    return this.q.insertPending(q, row).then((rows) => rows[0]);
  }

  findByOrderId(q: Queryable, orderId: string): Promise<PaymentRow | undefined> {
    return q.select().from(this.t.payments).where(eq(this.t.payments.orderId, orderId)).then((rows) => rows[0]);
  }

  /** reopenFailed puts a failed payment back to pending for one more attempt; of racing callers, one wins. */
  reopenFailed(q: Queryable, id: string, paymentToken: string): Promise<PaymentRow | undefined> {
    const p = this.t.payments;
    return q
      .update(p)
      .set({ status: 'pending', attempts: sql`${p.attempts} + 1`, processorRef: null, failureReason: null, paymentToken, updatedAt: Date.now() })
      .where(and(eq(p.id, id), eq(p.status, 'failed')))
      .returning()
      .then((rows) => rows[0]);
  }

  /** recordOutcome writes the processor's answer, only over a pending row. */
  recordOutcome(q: Queryable, id: string, outcome: Outcome): Promise<PaymentRow | undefined> {
    const record = outcome.status === 'pending' ? this.q.stillPending : this.q.settled;
    return record(q, { ...outcome, id, updatedAt: Date.now() }).then((rows) => rows[0]);
  }

  /** listUnsettled is the payments still pending that were last touched before `before`, oldest first. */
  listUnsettled(q: Queryable, before: number, limit: number): Promise<PaymentRow[]> {
    const p = this.t.payments;
    return q
      .select()
      .from(p)
      .where(and(eq(p.status, 'pending'), lt(p.updatedAt, before)))
      .orderBy(p.updatedAt)
      .limit(literalLimit(limit));
  }

  /** touch marks a pending payment as just looked at, so the next round asks about others first. */
  async touch(q: Queryable, id: string): Promise<void> {
    const p = this.t.payments;
    await q.update(p).set({ updatedAt: Date.now() }).where(and(eq(p.id, id), eq(p.status, 'pending')));
  }

  /** listRecent is the newest payments first, optionally for one order. */
  listRecent(q: Queryable, opts: { orderId?: string; limit: number }): Promise<PaymentRow[]> {
    const p = this.t.payments;
    return q
      .select()
      .from(p)
      .where(opts.orderId ? eq(p.orderId, opts.orderId) : undefined)
      .orderBy(desc(p.createdAt), desc(p.id))
      .limit(literalLimit(opts.limit));
  }
}
