import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { unauthorized } from '../../shared/errors/http-problem.js';
import type { AppEnv } from '../../shared/http/app-env.js';
import { type TokenVerifier, requireUser } from '../../shared/http/auth.js';
import { createRouter } from '../../shared/http/create-router.js';
import { bearer, json, jsonBody, named, problems } from '../../shared/http/problem-responses.js';
import { Email, Timestamp } from '../../shared/schemas/common.js';
import { User } from './contract.js';
import type { IdentityService } from './identity.service.js';

const UserOut = named(User, 'User');
const NewUser = z.object({
  // Trimmed before the format check, so a pasted address with spaces still counts.
  email: z.string().trim().pipe(Email).openapi({ format: 'email', maxLength: 254, example: 'ada@example.com' }),
  password: z.string().min(10).max(200),
  name: z.string().trim().min(1).max(100),
});
// Sign-in checks no format: any wrong email or password is the same 401.
const Credentials = z.object({ email: z.string().max(254), password: z.string().max(200) });
const Session = z.object({ token: z.string(), expiresAt: Timestamp }).openapi('Session');

/**
 * identityRoutes is identity's public API: sign up, sign in, and who am I.
 *
 * @example container.register(ROUTES, { useFactory: (c) => identityRoutes(service, c.resolve(TOKEN_VERIFIER)) })
 */
export function identityRoutes(service: IdentityService, verifier: TokenVerifier): OpenAPIHono<AppEnv> {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      summary: 'Create a customer account',
      request: jsonBody(NewUser),
      responses: {
        201: json(UserOut, 'The new account'),
        ...problems({ 400: 'Invalid email, password or name', 409: 'Email taken' }),
      },
    }),
    async (c) => c.json(await service.register(c.req.valid('json')), 201),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/sessions',
      summary: 'Sign in with email and password',
      request: jsonBody(Credentials),
      responses: {
        200: json(Session, 'A bearer token and when it expires'),
        ...problems({ 400: 'Malformed body', 401: 'Wrong email or password' }),
      },
    }),
    async (c) => c.json(await service.signIn(c.req.valid('json')), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      summary: 'The signed-in user',
      security: bearer,
      middleware: [requireUser(verifier)] as const,
      responses: { 200: json(UserOut, 'The signed-in user'), ...problems({ 401: 'Not signed in' }) },
    }),
    async (c) => {
      // A token outlives a deleted account; the account, not the token, decides.
      const user = await service.findUser(c.var.user.id);
      if (!user) throw unauthorized('The account no longer exists');
      return c.json(user, 200);
    },
  );

  return router;
}
