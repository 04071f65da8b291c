import { WorkLoop } from '../../shared/async/work-loop.js';
import type { Logger } from '../../shared/log/logger.js';
import type { CatalogService } from './catalog.service.js';

/**
 * startReservationSweeper returns expired reservations' stock on a timer, so stock is
 * never lost when an order flow dies midway. Every process may run one: a reservation
 * changes status only from `held`, so two sweepers never both return its stock.
 */
export function startReservationSweeper(service: CatalogService, ttlMs: number, logger: Logger): () => Promise<void> {
  const loop = new WorkLoop({
    name: 'reservation sweeper',
    idleMs: Math.min(Math.max(Math.floor(ttlMs / 2), 1000), 30_000),
    logger,
    async runOnce() {
      const expired = await service.expireDue();
      if (expired > 0) logger.info({ expired }, 'reservations expired');
      return false;
    },
  });
  loop.start();
  return () => loop.stop();
}
