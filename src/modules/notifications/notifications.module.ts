import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { MODULE_DB, ROUTES, TOKEN_VERIFIER } from '../../shared/di/tokens.js';
import { notificationsContract } from './contract.js';
import { NotificationsRepository } from './notifications.repository.js';
import { notificationsRoutes } from './notifications.routes.js';
import { NotificationsService } from './notifications.service.js';

/** notificationsModule registers notifications: messages to users, once per dedupe key. It calls no other module. */
export const notificationsModule = defineModule({
  contract: notificationsContract,
  uses: [],
  register(container) {
    container.register(NotificationsRepository, {
      useFactory: instanceCachingFactory((c) => new NotificationsRepository(c.resolve(MODULE_DB))),
    });
    container.register(NotificationsService, {
      useFactory: instanceCachingFactory((c) => new NotificationsService(c.resolve(NotificationsRepository))),
    });
    provideImplementation(container, notificationsContract, (c) => c.resolve(NotificationsService));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) => notificationsRoutes(c.resolve(NotificationsService), c.resolve(TOKEN_VERIFIER))),
    });
  },
});
