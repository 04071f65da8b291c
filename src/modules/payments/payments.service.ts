import { newId } from '../../shared/db/new-id.js';
import type { z } from 'zod';
import { type CallOptions, type Implementation, contractError, throwIfUnwanted } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log/logger.js';
import { type Payment, paymentsContract } from './contract.js';
import type { Outcome, PaymentRow, PaymentsRepository } from './payments.repository.js';
import type { CardProcessor, ChargeResult } from './processor/card-processor.js';
import type { Queryable } from '../../shared/db/module-db.js';
import type { Outbox } from '../../shared/events/outbox.js';

type ChargeInput = z.output<(typeof paymentsContract)['methods']['charge']['input']>;

/** How many payments the admin list shows: no paging yet. */
export const LIST_LIMIT = 100;

/** toPayment is a payment row as the contract shows it. */
export function toPayment(row: PaymentRow): Payment {
  const { id, orderId, amountCents, currency } = row;
  const status = row.status as Payment['status'];
  return { id, orderId, amountCents, currency, status, createdAt: new Date(row.createdAt).toISOString() };
}

function toOutcome(result: ChargeResult): Outcome {
  // An unknown outcome leaves the payment pending: it may have charged, so only a lookup may settle it.
  const status = result.outcome === 'unknown' ? 'pending' : result.outcome;
  return { status, processorRef: result.reference ?? null, failureReason: result.reason ?? null };
}

/** logOutcome records what the processor said; never the card token. */
function logOutcome(log: Logger, processor: string, row: PaymentRow, result: ChargeResult): void {
  const { id: paymentId, orderId, amountCents, currency, attempts } = row;
  const { reference, reason } = result;
  const fields = { paymentId, orderId, amountCents, currency, attempts, processor, reference, reason };
  if (result.outcome === 'succeeded') log.info(fields, 'payment succeeded');
  else if (result.outcome === 'declined') log.info(fields, 'payment declined');
  else if (result.outcome === 'failed') log.warn(fields, 'payment failed; no money taken');
  else log.error(fields, 'payment outcome unknown; left pending');
}

/**
 * PaymentsService is the payments port plus the admin list. A charge first claims its
 * order id in a short transaction; only the claimer calls the processor, with no
 * transaction open, and then records what it said.
 */
export class PaymentsService implements Implementation<typeof paymentsContract> {
  constructor(
    private readonly repo: PaymentsRepository,
    private readonly processor: CardProcessor,
    private readonly log: Logger,
    private readonly outbox: Outbox,
  ) {}

  /** charge takes the money for an order at most once, however often or concurrently it is called. */
  async charge(input: ChargeInput, options: CallOptions = {}): Promise<Payment> {
    // A caller whose deadline has passed no longer waits: begin no charge for it. A charge
    // already begun runs to the end, so its outcome is recorded and getPayment can tell it.
    throwIfUnwanted(options);
    const { row, mine } = await this.claim(input);
    if (!mine) return toPayment(row);
    const result = await this.ask(input);
    const saved = await this.repo.db.tx((q) => this.record(q, row.id, toOutcome(result))).catch((err) => {
      // The processor's answer would be lost with this error: log it so the pending row can be settled by hand.
      this.log.error({ err, orderId: row.orderId, outcome: result.outcome, reference: result.reference }, 'payment outcome not saved');
      throw err;
    });
    logOutcome(this.log, this.processor.name, saved ?? row, result);
    return toPayment(saved ?? row);
  }

  /** record saves the processor's answer and, when money was taken, publishes PaymentCaptured with it. */
  private async record(q: Queryable, id: string, outcome: ReturnType<typeof toOutcome>) {
    const saved = await this.repo.recordOutcome(q, id, outcome);
    if (saved?.status === 'succeeded') {
      const { orderId, userId, amountCents, currency } = saved;
      await this.outbox.publish(q, paymentsContract.events.PaymentCaptured, { paymentId: saved.id, orderId, userId, amountCents, currency });
    }
    return saved;
  }

  /**
   * settleUnknown asks the processor again about a charge whose outcome was never
   * recorded (payments died mid-charge, or the processor timed out), under the same
   * idempotency key, so the processor answers for the first charge rather than making
   * a second. An answer still unknown leaves it for the next round.
   */
  async settleUnknown(row: PaymentRow): Promise<Payment['status']> {
    if (!row.paymentToken) return 'pending';
    const { orderId, userId, amountCents, currency } = row;
    const result = await this.ask({ orderId, userId, amountCents, currency, paymentToken: row.paymentToken });
    const saved = await this.repo.db.tx(async (q) => {
      if (result.outcome === 'unknown') return this.repo.touch(q, row.id);
      return this.record(q, row.id, toOutcome(result));
    });
    if (saved) logOutcome(this.log, this.processor.name, saved, result);
    return saved?.status as Payment['status'] ?? 'pending';
  }

  /** getPayment tells what became of an order's charge. */
  async getPayment({ orderId }: { orderId: string }): Promise<Payment> {
    const row = await this.repo.db.read((q) => this.repo.findByOrderId(q, orderId));
    if (!row) throw contractError(paymentsContract, 'PAYMENT_NOT_FOUND', `No payment for order ${orderId}`);
    return toPayment(row);
  }

  /** listPayments is the newest payments first, for the admin list. */
  listPayments(opts: { orderId?: string }): Promise<PaymentRow[]> {
    return this.repo.db.read((q) => this.repo.listRecent(q, { ...opts, limit: LIST_LIMIT }));
  }

  /** ask calls the processor; anything it throws is an unknown outcome, as it may have charged first. */
  private async ask(input: ChargeInput): Promise<ChargeResult> {
    const { orderId, amountCents, currency, paymentToken: token } = input;
    try {
      return await this.processor.charge({ orderId, idempotencyKey: orderId, amountCents, currency, token });
    } catch (err) {
      this.log.error({ err, orderId }, 'card processor threw; outcome unknown');
      return { outcome: 'unknown', reason: 'card processor error' };
    }
  }

  /** claim returns the order's payment row, and whether this call is the one that charges. */
  private claim(input: ChargeInput): Promise<{ row: PaymentRow; mine: boolean }> {
    return this.repo.db.tx(async (q) => {
      const now = Date.now();
      const { orderId, userId, amountCents, currency } = input;
      const fresh = await this.repo.insertPending(q, {
        id: newId(),
        orderId,
        userId,
        amountCents,
        currency,
        status: 'pending',
        processorRef: null,
        failureReason: null,
        paymentToken: input.paymentToken,
        attempts: 1,
        createdAt: now,
        updatedAt: now,
      });
      if (fresh) return { row: fresh, mine: true };
      // The insert met a committed row for this order (rows are never deleted), so this finds it.
      const existing = (await this.repo.findByOrderId(q, orderId))!;
      if (existing.amountCents !== amountCents || existing.currency !== currency) {
        const was = `${existing.amountCents} ${existing.currency}`;
        throw contractError(paymentsContract, 'CHARGE_MISMATCH', `Order ${orderId} was charged ${was}`, { orderId });
      }
      if (existing.status !== 'failed') return { row: existing, mine: false };
      // A failed attempt took no money, so one caller may try again on the same row.
      const reopened = await this.repo.reopenFailed(q, existing.id, input.paymentToken);
      if (reopened) return { row: reopened, mine: true };
      return { row: (await this.repo.findByOrderId(q, orderId))!, mine: false };
    });
  }
}
