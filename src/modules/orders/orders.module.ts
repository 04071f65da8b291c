import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { CONFIG, MODULE_DB, MODULE_LOGGER, ROUTES, TOKEN_VERIFIER, portToken } from '../../shared/di/tokens.js';
import { catalogContract } from '../catalog/contract.js';
import { notificationsContract } from '../notifications/contract.js';
import { paymentsContract } from '../payments/contract.js';
import { ordersContract } from './contract.js';
import { OrdersRepository } from './orders.repository.js';
import { ordersRoutes } from './orders.routes.js';
import { OrdersService } from './orders.service.js';
import { PlaceOrderSaga } from './place-order.saga.js';

/** ordersModule registers orders: the order saga across catalog, payments and notifications. */
export const ordersModule = defineModule({
  contract: ordersContract,
  uses: [catalogContract, paymentsContract, notificationsContract],
  register(container) {
    container.register(OrdersRepository, {
      useFactory: instanceCachingFactory((c) => new OrdersRepository(c.resolve(MODULE_DB))),
    });
    container.register(OrdersService, {
      useFactory: instanceCachingFactory((c) => new OrdersService(c.resolve(OrdersRepository))),
    });
    container.register(PlaceOrderSaga, {
      useFactory: instanceCachingFactory(
        (c) =>
          new PlaceOrderSaga(
            c.resolve(OrdersRepository),
            {
              catalog: c.resolve(portToken(catalogContract)),
              payments: c.resolve(portToken(paymentsContract)),
              notifications: c.resolve(portToken(notificationsContract)),
            },
            c.resolve(CONFIG).CURRENCY,
            c.resolve(MODULE_LOGGER),
          ),
      ),
    });
    provideImplementation(container, ordersContract, (c) => c.resolve(OrdersService));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) =>
        ordersRoutes(c.resolve(OrdersService), c.resolve(PlaceOrderSaga), c.resolve(TOKEN_VERIFIER)),
      ),
    });
  },
});
