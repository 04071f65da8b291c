import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../../../shared/log/logger.js';
import type { CardProcessor, ChargeRequest, ChargeResult } from './card-processor.js';

const Approved = z.object({ id: z.string().min(1), status: z.literal('succeeded') });
const CardError = z.object({
  error: z.object({ type: z.string(), code: z.string().optional(), message: z.string().optional() }),
});

export interface HttpProcessorOptions {
  /** The provider's base URL; charges go to `{url}/v1/charges`. */
  url: string;
  apiKey?: string;
  timeoutMs: number;
  logger: Logger;
  /** The wait before each retry, jittered; one retry per entry. */
  retryDelaysMs?: readonly number[];
}

/** One attempt's verdict: a final answer, or a reason to ask again with the same key. */
type Attempt = { final: ChargeResult } | { retry: 'server-error' | 'no-answer'; detail: string };

const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

/**
 * createHttpProcessor talks to a Stripe-like provider. Every attempt of one charge
 * sends the same Idempotency-Key, so retrying after a 5xx or a timeout cannot charge
 * twice. If any attempt went unanswered and none answered for sure, the outcome is
 * `unknown`: that attempt may have taken the money.
 *
 * @example createHttpProcessor({ url: config.PAYMENT_PROVIDER_URL, apiKey, timeoutMs: 10_000, logger })
 */
export function createHttpProcessor(opts: HttpProcessorOptions): CardProcessor {
  const endpoint = `${opts.url.replace(/\/+$/, '')}/v1/charges`;
  const delays = opts.retryDelaysMs ?? [100, 300];
  const log = opts.logger.child({ processor: 'http' });

  async function attempt(req: ChargeRequest): Promise<Attempt> {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': req.idempotencyKey,
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        body: JSON.stringify({
          amount: req.amountCents,
          currency: req.currency.toLowerCase(),
          source: req.token,
          metadata: { orderId: req.orderId },
        }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      return { retry: 'no-answer', detail: timedOut ? `timed out after ${opts.timeoutMs}ms` : 'connection failed' };
    }
    if (res.status >= 500 || res.status === 429) return { retry: 'server-error', detail: `HTTP ${res.status}` };
    // 409 is the provider saying a request with this key is still in flight.
    if (res.status === 409) return { retry: 'no-answer', detail: 'HTTP 409: same key still in flight' };
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok) {
      const approved = Approved.safeParse(body);
      if (approved.success) return { final: { outcome: 'succeeded', reference: approved.data.id } };
      log.error({ orderId: req.orderId, status: res.status }, 'card processor sent a reply we cannot read');
      return { final: { outcome: 'unknown', reason: 'unreadable reply from the processor' } };
    }
    if (res.status === 402) {
      const e = CardError.safeParse(body).data?.error;
      return { final: { outcome: 'declined', reason: [e?.code, e?.message].filter(Boolean).join(': ') || 'card declined' } };
    }
    // Any other 4xx is a request the provider refused outright: no money moved, but our setup is wrong.
    log.error({ orderId: req.orderId, status: res.status }, 'card processor refused the request');
    return { final: { outcome: 'failed', reason: `processor refused the request (HTTP ${res.status})` } };
  }

  return {
    name: 'http',
    async charge(req) {
      let unanswered = false;
      for (let i = 0; ; i++) {
        const result = await attempt(req);
        if ('final' in result) return result.final;
        unanswered ||= result.retry === 'no-answer';
        const delay = delays[i];
        if (delay === undefined) {
          return unanswered
            ? { outcome: 'unknown', reason: `no answer from the processor (${result.detail})` }
            : { outcome: 'failed', reason: `processor error (${result.detail})` };
        }
        log.warn({ orderId: req.orderId, attempt: i + 1, detail: result.detail }, 'card processor did not answer; retrying');
        await sleep(jitter(delay));
      }
    },
  };
}
