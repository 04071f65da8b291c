import { HttpProblem } from '../../shared/errors/http-problem.js';

/**
 * The problems POST /api/orders answers with. The order keeps its failure code and
 * detail, so a replay with the same Idempotency-Key answers exactly as the first call.
 */
const BY_CODE: Record<string, { status: number; title: string; headers?: Record<string, string> }> = {
  PAYMENT_DECLINED: { status: 402, title: 'Payment declined' },
  OUT_OF_STOCK: { status: 409, title: 'Out of stock' },
  PRODUCT_NOT_FOUND: { status: 404, title: 'Product not found' },
  PAYMENT_FAILED: { status: 503, title: 'Payment failed', headers: { 'Retry-After': '5' } },
  PAYMENT_OUTCOME_UNKNOWN: { status: 503, title: 'Payment outcome unknown', headers: { 'Retry-After': '30' } },
  UNAVAILABLE: { status: 503, title: 'Service unavailable', headers: { 'Retry-After': '2' } },
  ORDER_FAILED: { status: 503, title: 'Order failed', headers: { 'Retry-After': '5' } },
};

/** orderProblem builds the problem for a failed order. */
export function orderProblem(code: string, detail: string, orderId: string, data: Record<string, unknown> = {}) {
  const spec = BY_CODE[code] ?? BY_CODE.ORDER_FAILED!;
  return new HttpProblem(spec.status, code, spec.title, detail, { ...data, orderId }, spec.headers);
}

export const idempotencyKeyReused = () =>
  new HttpProblem(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'Idempotency key reused',
    'This Idempotency-Key was used with a different request body',
  );

export const requestInProgress = (orderId: string) =>
  new HttpProblem(
    409,
    'REQUEST_IN_PROGRESS',
    'Request in progress',
    'A request with this Idempotency-Key is still being processed',
    { orderId },
    { 'Retry-After': '1' },
  );
