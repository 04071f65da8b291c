import { WorkLoop } from '../../shared/async/work-loop.js';
import type { Logger } from '../../shared/log/logger.js';
import type { OrdersRepository } from './orders.repository.js';
import type { PlaceOrderSaga } from './place-order.saga.js';

/** Orders settled per round; a long backlog drains over several rounds. */
const BATCH = 100;

/**
 * startOrderReconciler settles, on a timer, every order still `pending` after
 * `settleAfterMs`: its flow died (a crash, a payments outage) before it could finish.
 * It asks payments what happened and pays or fails the order. Settling changes an order
 * only from `pending`, so a flow that finishes at the same moment wins or loses cleanly,
 * and every process may run one.
 *
 * @example const stop = startOrderReconciler(repo, saga, 120_000, logger)
 */
export function startOrderReconciler(repo: OrdersRepository, saga: PlaceOrderSaga, settleAfterMs: number, logger: Logger): () => Promise<void> {
  const loop = new WorkLoop({
    name: 'order reconciler',
    idleMs: Math.min(Math.max(Math.floor(settleAfterMs / 2), 1000), 30_000),
    logger,
    async runOnce() {
      const stale = await repo.db.read((q) => repo.listPendingBefore(q, Date.now() - settleAfterMs, BATCH));
      const counts = { paid: 0, failed: 0, waiting: 0 };
      for (const order of stale) {
        const outcome = await saga.settle(order).catch((err) => {
          logger.error({ err, orderId: order.id }, 'settling a pending order failed');
          return 'waiting' as const;
        });
        counts[outcome]++;
      }
      if (stale.length > 0) logger.info(counts, 'pending orders reconciled');
      // Orders left waiting are asked about again next round, not at once.
      return counts.paid + counts.failed === BATCH;
    },
  });
  loop.start();
  return () => loop.stop();
}
