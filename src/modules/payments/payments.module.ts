import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { CONFIG, LIFECYCLE, MODULE_DB, MODULE_LOGGER, OUTBOX, ROUTES, TOKEN_VERIFIER } from '../../shared/di/tokens.js';
import { paymentsContract } from './contract.js';
import { startPaymentReconciler } from './payment-reconciler.js';
import { PaymentsRepository } from './payments.repository.js';
import { paymentsRoutes } from './payments.routes.js';
import { PaymentsService } from './payments.service.js';
import { CARD_PROCESSOR } from './processor/card-processor.js';
import { chooseProcessor } from './processor/choose-processor.js';

/** paymentsModule charges for orders through a card processor chosen by config. It calls no other module. */
export const paymentsModule = defineModule({
  contract: paymentsContract,
  uses: [],
  register(container) {
    container.register(CARD_PROCESSOR, {
      useFactory: instanceCachingFactory((c) => chooseProcessor(c.resolve(CONFIG), c.resolve(MODULE_LOGGER))),
    });
    container.register(PaymentsRepository, {
      useFactory: instanceCachingFactory((c) => new PaymentsRepository(c.resolve(MODULE_DB))),
    });
    container.register(PaymentsService, {
      useFactory: instanceCachingFactory(
        (c) => new PaymentsService(c.resolve(PaymentsRepository), c.resolve(CARD_PROCESSOR), c.resolve(MODULE_LOGGER), c.resolve(OUTBOX)),
      ),
    });
    provideImplementation(container, paymentsContract, (c) => c.resolve(PaymentsService));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) => paymentsRoutes(c.resolve(PaymentsService), c.resolve(TOKEN_VERIFIER))),
    });
    container.register(LIFECYCLE, {
      useFactory: instanceCachingFactory((c) => {
        let stop = async () => {};
        return {
          async start() {
            // Twice the processor's own timeout: no charge still in flight is that old.
            const settleAfter = 2 * c.resolve(CONFIG).PAYMENT_PROVIDER_TIMEOUT;
            stop = startPaymentReconciler(c.resolve(PaymentsRepository), c.resolve(PaymentsService), settleAfter, c.resolve(MODULE_LOGGER));
          },
          async stop() {
            await stop();
          },
        };
      }),
    });
  },
});
