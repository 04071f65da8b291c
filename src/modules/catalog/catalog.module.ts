import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { CONFIG, LIFECYCLE, MODULE_DB, MODULE_LOGGER, ROUTES, TOKEN_VERIFIER } from '../../shared/di/tokens.js';
import { HttpProblem } from '../../shared/errors/http-problem.js';
import { CatalogRepository } from './catalog.repository.js';
import { catalogRoutes } from './catalog.routes.js';
import { CatalogService } from './catalog.service.js';
import { catalogContract } from './contract.js';
import { DEMO_PRODUCTS } from './demo-products.js';
import { startReservationSweeper } from './reservation-sweeper.js';

/** catalogModule registers catalog: products, stock, and reservations that expire. */
export const catalogModule = defineModule({
  contract: catalogContract,
  uses: [],
  register(container) {
    container.register(CatalogRepository, {
      useFactory: instanceCachingFactory((c) => new CatalogRepository(c.resolve(MODULE_DB))),
    });
    container.register(CatalogService, {
      useFactory: instanceCachingFactory((c) => new CatalogService(c.resolve(CatalogRepository), c.resolve(CONFIG))),
    });
    provideImplementation(container, catalogContract, (c) => c.resolve(CatalogService));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) => catalogRoutes(c.resolve(CatalogService), c.resolve(TOKEN_VERIFIER))),
    });
    container.register(LIFECYCLE, {
      useFactory: instanceCachingFactory((c) => {
        const service = c.resolve(CatalogService);
        const config = c.resolve(CONFIG);
        const logger = c.resolve(MODULE_LOGGER);
        let stopSweeper = async () => {};
        return {
          async start() {
            if (config.SEED_DEMO && (await service.countProducts()) === 0) {
              for (const product of DEMO_PRODUCTS) {
                // Another process starting at the same moment may have seeded this one already.
                await service.createProduct(product).catch((err) => {
                  if (!(err instanceof HttpProblem && err.code === 'SKU_TAKEN')) throw err;
                });
              }
              logger.info({ products: DEMO_PRODUCTS.length }, 'demo products seeded');
            }
            stopSweeper = startReservationSweeper(service, config.RESERVATION_TTL, logger);
          },
          async stop() {
            await stopSweeper();
          },
        };
      }),
    });
  },
});
