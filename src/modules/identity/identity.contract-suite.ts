import { exportJWK, importJWK, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import type { TestCarve } from '../../../test/support/carve-harness.js';
import { signUp } from '../../../test/support/storefront-client.js';
import { isContractError } from '../../shared/contract/port-error.js';
import { identityContract } from './contract.js';

/** identityContractSuite: what any caller may rely on from identity's port, under every runner. */
export function identityContractSuite(t: () => TestCarve) {
  const identity = () => t().port(identityContract);

  it('identity: the verification key checks the tokens identity signs', async () => {
    const user = await signUp(t(), 'Verified');
    const { alg, jwk } = await identity().getVerificationKey({});
    const key = await importJWK(jwk, alg);
    const { payload } = await jwtVerify(user.token, key);
    expect(payload.sub).toBe(user.id);
    expect(await exportJWK(key)).toMatchObject({ x: jwk.x });
  });

  it('identity: getUser returns the user without secrets, and USER_NOT_FOUND otherwise', async () => {
    const user = await signUp(t(), 'Found');
    await expect(identity().getUser({ id: user.id })).resolves.toEqual({ id: user.id, email: user.email, name: 'Found', role: 'customer' });
    const err = await identity()
      .getUser({ id: 'nobody' })
      .catch((e) => e);
    expect(isContractError(err, identityContract, 'USER_NOT_FOUND')).toBe(true);
  });
}
