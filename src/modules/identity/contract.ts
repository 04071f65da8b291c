import { z } from 'zod';
import { defineContract, event, method } from '../../shared/contract/index.js';
import { Email, Id } from '../../shared/schemas/common.js';

export const User = z.object({
  id: Id,
  email: Email,
  name: z.string(),
  role: z.enum(['customer', 'admin']),
});
export type User = z.output<typeof User>;

export const VerificationKey = z.object({
  alg: z.literal('EdDSA'),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string() }),
});

/** identityContract: who users are, and the public key every module verifies their tokens with. */
export const identityContract = defineContract({
  name: 'identity',
  version: 1,
  errors: {
    USER_NOT_FOUND: { status: 404, title: 'User not found' },
  },
  events: {
    UserRegistered: event({
      version: 1,
      payload: z.object({ userId: Id, email: Email, name: z.string().min(1).max(200) }),
      aggregate: 'userId',
      summary: 'A customer account was created',
    }),
  },
  methods: {
    getVerificationKey: method({
      summary: 'The public key that signs user tokens',
      input: z.object({}),
      output: VerificationKey,
      idempotent: true,
    }),
    getUser: method({
      input: z.object({ id: Id }),
      output: User,
      errors: ['USER_NOT_FOUND'],
      idempotent: true,
    }),
  },
});
