import { cachedUntilFailure } from '../../shared/async/cached-until-failure.js';
import type { Config } from '../../shared/config/config.js';
import type { Logger } from '../../shared/log/logger.js';
import { CURRENT_SLOT, type IdentityRepository } from './identity.repository.js';
import { type SigningKey, generateSigningKey, signingKeyFromPem } from './signing-key.js';

/**
 * SigningKeyStore hands out the key that signs user tokens: JWT_PRIVATE_KEY when set,
 * otherwise the one kept in identity's database, made on first start. Loaded once per
 * process; a failed load is retried on the next call.
 */
export class SigningKeyStore {
  /** current returns the signing key, loading or creating it on first use. */
  readonly current = cachedUntilFailure(() => this.load());

  constructor(
    private readonly repo: IdentityRepository,
    private readonly config: Pick<Config, 'JWT_PRIVATE_KEY'>,
    private readonly logger: Logger,
  ) {}

  private async load(): Promise<SigningKey> {
    if (this.config.JWT_PRIVATE_KEY) {
      // Env files often carry a PEM on one line with literal \n escapes.
      const key = await signingKeyFromPem(this.config.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'));
      this.logger.info({ kid: key.kid }, 'signing key from JWT_PRIVATE_KEY');
      return key;
    }
    const stored = await this.repo.currentSigningKey();
    if (stored) return signingKeyFromPem(stored.privateKeyPkcs8);

    const fresh = await generateSigningKey();
    await this.repo.insertSigningKey({
      kid: fresh.key.kid,
      slot: CURRENT_SLOT,
      privateKeyPkcs8: fresh.pem,
      publicX: fresh.key.publicJwk.x,
      createdAt: Date.now(),
    });
    // Another process may have stored its key first; whichever row won is the key for all.
    const winner = await this.repo.currentSigningKey();
    if (!winner) throw new Error('The signing key was neither stored nor found');
    if (winner.kid !== fresh.key.kid) return signingKeyFromPem(winner.privateKeyPkcs8);
    this.logger.info({ kid: fresh.key.kid }, 'signing key generated and stored');
    return fresh.key;
  }
}
