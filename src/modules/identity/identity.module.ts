import { instanceCachingFactory } from 'tsyringe';
import { defineModule, provideImplementation } from '../../shared/di/define-module.js';
import { CONFIG, LIFECYCLE, MODULE_DB, MODULE_LOGGER, OUTBOX, ROUTES, TOKEN_VERIFIER } from '../../shared/di/tokens.js';
import { identityContract } from './contract.js';
import { IdentityRepository } from './identity.repository.js';
import { identityRoutes } from './identity.routes.js';
import { IdentityService } from './identity.service.js';
import { SigningKeyStore } from './signing-key-store.js';

/** identityModule registers identity: accounts, sign-in, and the key that signs user tokens. */
export const identityModule = defineModule({
  contract: identityContract,
  uses: [],
  register(container) {
    container.register(IdentityRepository, {
      useFactory: instanceCachingFactory((c) => new IdentityRepository(c.resolve(MODULE_DB))),
    });
    container.register(SigningKeyStore, {
      useFactory: instanceCachingFactory(
        (c) => new SigningKeyStore(c.resolve(IdentityRepository), c.resolve(CONFIG), c.resolve(MODULE_LOGGER)),
      ),
    });
    container.register(IdentityService, {
      useFactory: instanceCachingFactory(
        (c) => new IdentityService(c.resolve(IdentityRepository), c.resolve(SigningKeyStore), c.resolve(CONFIG), c.resolve(OUTBOX)),
      ),
    });
    provideImplementation(container, identityContract, (c) => c.resolve(IdentityService));
    container.register(ROUTES, {
      useFactory: instanceCachingFactory((c) => identityRoutes(c.resolve(IdentityService), c.resolve(TOKEN_VERIFIER))),
    });
    container.register(LIFECYCLE, {
      useFactory: instanceCachingFactory((c) => {
        const keys = c.resolve(SigningKeyStore);
        const service = c.resolve(IdentityService);
        const config = c.resolve(CONFIG);
        const logger = c.resolve(MODULE_LOGGER);
        return {
          async start() {
            // Load or create the key now, so a bad JWT_PRIVATE_KEY stops start-up, not a request.
            await keys.current();
            if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
              const outcome = await service.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
              // An existing account keeps its password; say so, as the configured one will not work.
              const email = config.ADMIN_EMAIL;
              if (outcome === 'created') logger.info({ email }, 'admin account created');
              if (outcome === 'promoted') logger.warn({ email }, 'existing account made admin; its password is unchanged');
              if (outcome === 'unchanged') logger.info({ email }, 'admin account exists; its password is unchanged');
            }
          },
        };
      }),
    });
  },
});
