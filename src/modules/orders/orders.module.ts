import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { CONFIG, LIFECYCLE, MODULE_DB, MODULE_LOGGER, OUTBOX, ROUTES, TOKEN_VERIFIER, portToken } from '../../shared/di/tokens.js';
import { catalogContract } from '../catalog/contract.js';
import { paymentsContract } from '../payments/contract.js';
import { ordersContract } from './contract.js';
import { startOrderReconciler } from './order-reconciler.js';
import { OrderSettlement } from './order-settlement.js';
import { OrdersRepository } from './orders.repository.js';
import { ordersRoutes } from './orders.routes.js';
import { OrdersService } from './orders.service.js';
import { PlaceOrderSaga } from './place-order.saga.js';

/** ordersModule registers orders: the order saga across catalog and payments, and the reconciler of orders left pending. */
export const ordersModule = defineModule({
  contract: ordersContract,
  uses: [catalogContract, paymentsContract],
  register(container) {
    container.register(OrdersRepository, {
      useFactory: instanceCachingFactory((c) => new OrdersRepository(c.resolve(MODULE_DB))),
    });
    container.register(OrdersService, {
      useFactory: instanceCachingFactory((c) => new OrdersService(c.resolve(OrdersRepository))),
    });
    container.register(OrderSettlement, {
      useFactory: instanceCachingFactory((c) => new OrderSettlement(c.resolve(OrdersRepository), c.resolve(OUTBOX))),
    });
    container.register(PlaceOrderSaga, {
      useFactory: instanceCachingFactory(
        (c) =>
          new PlaceOrderSaga(
            c.resolve(OrdersRepository),
            {
              catalog: c.resolve(portToken(catalogContract)),
              payments: c.resolve(portToken(paymentsContract)),
            },
            c.resolve(OrderSettlement),
            c.resolve(CONFIG).CURRENCY,
            c.resolve(MODULE_LOGGER),
          ),
      ),
    });
    provideImplementation(container, ordersContract, (c) => c.resolve(OrdersService));
    container.register(LIFECYCLE, {
      useFactory: instanceCachingFactory((c) => {
        let stop = async () => {};
        return {
          async start() {
            const { ORDER_SETTLE_AFTER } = c.resolve(CONFIG);
            stop = startOrderReconciler(c.resolve(OrdersRepository), c.resolve(PlaceOrderSaga), ORDER_SETTLE_AFTER, c.resolve(MODULE_LOGGER));
          },
          async stop() {
            await stop();
          },
        };
      }),
    });
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) =>
        ordersRoutes(c.resolve(OrdersService), c.resolve(PlaceOrderSaga), c.resolve(TOKEN_VERIFIER)),
      ),
    });
  },
});
