import { WorkLoop } from '../../shared/async/work-loop.js';
import type { Logger } from '../../shared/log/logger.js';
import type { PaymentsRepository } from './payments.repository.js';
import type { PaymentsService } from './payments.service.js';

const BATCH = 50;

/**
 * startPaymentReconciler settles, on a timer, payments left `pending` for longer than a
 * charge can take (`settleAfterMs`): the process died between asking the processor and
 * recording its answer, or the processor timed out. Each is asked again under the same
 * idempotency key, so no card is charged twice. Orders' reconciler then settles the order
 * from what this records.
 *
 * @example const stop = startPaymentReconciler(repo, service, 20_000, logger)
 */
export function startPaymentReconciler(repo: PaymentsRepository, service: PaymentsService, settleAfterMs: number, logger: Logger): () => Promise<void> {
  const loop = new WorkLoop({
    name: 'payment reconciler',
    idleMs: Math.min(Math.max(Math.floor(settleAfterMs / 2), 1000), 30_000),
    logger,
    async runOnce() {
      const stale = await repo.db.read((q) => repo.listUnsettled(q, Date.now() - settleAfterMs, BATCH));
      for (const row of stale) {
        const status = await service.settleUnknown(row).catch((err) => {
          logger.error({ err, orderId: row.orderId }, 'asking the processor again failed');
          return 'pending' as const;
        });
        logger.info({ orderId: row.orderId, status }, 'unsettled payment asked about again');
      }
      return false;
    },
  });
  loop.start();
  return () => loop.stop();
}
