import { instanceCachingFactory } from 'tsyringe';
import { defineModule, handleEvent, provideImplementation } from '../../shared/di/define-module.js';
import { MODULE_DB, ROUTES, TOKEN_VERIFIER } from '../../shared/di/tokens.js';
import { identityContract } from '../identity/contract.js';
import { ordersContract } from '../orders/contract.js';
import { notificationsContract } from './contract.js';
import { Notices } from './notices.js';
import { NotificationsRepository } from './notifications.repository.js';
import { notificationsRoutes } from './notifications.routes.js';
import { NotificationsService } from './notifications.service.js';

/**
 * notificationsModule registers notifications: messages to users, once per dedupe key.
 * It calls no other module; it hears of registrations and paid orders through events.
 */
export const notificationsModule = defineModule({
  contract: notificationsContract,
  uses: [],
  subscribes: [identityContract.events.UserRegistered, ordersContract.events.OrderPaid],
  register(container) {
    container.register(NotificationsRepository, {
      useFactory: instanceCachingFactory((c) => new NotificationsRepository(c.resolve(MODULE_DB))),
    });
    container.register(NotificationsService, {
      useFactory: instanceCachingFactory((c) => new NotificationsService(c.resolve(NotificationsRepository))),
    });
    provideImplementation(container, notificationsContract, (c) => c.resolve(NotificationsService));
    container.register(Notices, { useFactory: instanceCachingFactory((c) => new Notices(c.resolve(NotificationsRepository))) });
    handleEvent(container, identityContract.events.UserRegistered, (c) => (user, { q }) => c.resolve(Notices).welcome(q, user));
    handleEvent(container, ordersContract.events.OrderPaid, (c) => (order, { q }) => c.resolve(Notices).orderPaid(q, order));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) => notificationsRoutes(c.resolve(NotificationsService), c.resolve(TOKEN_VERIFIER))),
    });
  },
});
