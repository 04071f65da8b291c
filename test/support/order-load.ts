import type { TestCarve } from './carve-harness.js';

/** Placed is one order request as its client saw it. */
export interface Placed {
  /** Which request of the load it was, from 1. */
  n: number;
  /** The HTTP status, or 0 when no answer came (connection refused or reset). */
  status: number;
  /** The problem's code, or PAID for a 201. */
  code: string;
  /** The order's id, when the answer named one. */
  orderId?: string;
  /** When the answer came (epoch ms): to tell what happened while a process was down. */
  at: number;
}

/**
 * orderPlacer places one order of `quantity` units as `buyer`, through the public API,
 * and never throws: a refused connection is a Placed with status 0.
 *
 * @example const place = orderPlacer(t, buyer.token, (n) => ({ productId, quantity: 1 + (n % 3) }))
 */
export function orderPlacer(t: TestCarve, token: string | ((n: number) => string), item: (n: number) => { productId: string; quantity: number }) {
  return async (n: number): Promise<Placed> => {
    try {
      const res = await t.request('POST', '/api/orders', {
        token: typeof token === 'string' ? token : token(n),
        body: { items: [item(n)], paymentToken: 'tok_visa' },
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string; orderId?: string; code?: string };
      return { n, status: res.status, code: res.status === 201 ? 'PAID' : (body.code ?? String(res.status)), orderId: body.orderId ?? body.id, at: Date.now() };
    } catch (err) {
      return { n, status: 0, code: (err as Error).message, at: Date.now() };
    }
  };
}

/**
 * placeOrders sends `total` orders from `concurrency` clients at once. `during` runs beside
 * the load (a crash, a restart), given how many orders have answered so far and a way to
 * wait until some number have; the load and `during` both finish before this returns.
 *
 * @example const placed = await placeOrders({ total: 500, concurrency: 8, place }, async (p) => { await p.answered(100); await crash() })
 */
export async function placeOrders(
  { total, concurrency, place }: { total: number; concurrency: number; place: (n: number) => Promise<Placed> },
  during: (progress: { answered(n: number): Promise<void>; count(): number }) => Promise<void> = async () => {},
): Promise<Placed[]> {
  const placed: Placed[] = [];
  let next = 0;
  let finished = false;
  const worker = async () => {
    while (next < total) {
      next += 1;
      placed.push(await place(next));
    }
  };
  const progress = {
    count: () => placed.length,
    async answered(n: number) {
      while (placed.length < n && !finished) await new Promise((r) => setTimeout(r, 50));
    },
  };
  const load = Promise.all(Array.from({ length: concurrency }, worker)).finally(() => {
    finished = true;
  });
  await Promise.all([load, during(progress)]);
  return placed.sort((a, b) => a.n - b.n);
}

/** tally counts answers by class and code, for a test to print and check. */
export function tally(placed: readonly Placed[]) {
  const classes = { placed: placed.length, '2xx': 0, '4xx': 0, '5xx': 0, 'no answer': 0 };
  const codes: Record<string, number> = {};
  for (const p of placed) {
    if (p.status === 0) classes['no answer']++;
    else if (p.status < 300) classes['2xx']++;
    else if (p.status < 500) classes['4xx']++;
    else classes['5xx']++;
    codes[p.code] = (codes[p.code] ?? 0) + 1;
  }
  return { ...classes, codes };
}

/** sleep waits; for spacing out a fault, never for asserting how long something took. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * printCounts writes a test's counts to its output, where a report can quote them.
 *
 * @example printCounts('broker down', { ...tally(placed), answeredWhileDown })
 */
export function printCounts(label: string, counts: object): void {
  // biome-ignore lint/suspicious/noConsole: the counts are what these tests report, on purpose
  console.log(`${label}: ${JSON.stringify(counts, null, 2)}`);
}
