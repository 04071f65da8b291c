import type { InjectionToken } from 'tsyringe';

/** ChargeRequest is one charge as a card processor sees it. The token is a secret: never log it. */
export interface ChargeRequest {
  orderId: string;
  /** The processor collapses repeats of one key into one charge; payments uses the order id. */
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  token: string;
}

/**
 * ChargeOutcome is what the processor said. `failed` means it definitely took no money
 * (safe to try again); `unknown` means it may have, so only a lookup may settle it.
 */
export type ChargeOutcome = 'succeeded' | 'declined' | 'failed' | 'unknown';

export interface ChargeResult {
  outcome: ChargeOutcome;
  /** The processor's id for the charge, when it gave one. */
  reference?: string;
  /** Why it was not a success, for the payment row and the logs. */
  reason?: string;
}

/**
 * CardProcessor is payments' own port to whoever moves the money. The sandbox and the
 * HTTP adapter both satisfy it; config picks one.
 */
export interface CardProcessor {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

/** CARD_PROCESSOR is where the chosen processor lives in payments' child container. */
export const CARD_PROCESSOR: InjectionToken<CardProcessor> = Symbol('payments.card-processor');
