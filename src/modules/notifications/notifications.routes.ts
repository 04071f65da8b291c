import { createRoute, z } from '@hono/zod-openapi';
import { type TokenVerifier, requireUser } from '../../shared/http/auth.js';
import { createRouter } from '../../shared/http/create-router.js';
import { bearer, json, named, problems } from '../../shared/http/problem-responses.js';
import { Notification } from './contract.js';
import type { NotificationsService } from './notifications.service.js';

// The inbox leaves out userId: it is always the caller.
const InboxItem = named(Notification.omit({ userId: true }), 'Notification');

/** notificationsRoutes is notifications' public API: a signed-in user reads their own inbox. */
export function notificationsRoutes(service: NotificationsService, verifier: TokenVerifier) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: "The caller's notifications, newest first (at most 100)",
      security: bearer,
      middleware: [requireUser(verifier)],
      responses: {
        200: json(z.object({ items: z.array(InboxItem) }), "The caller's notifications"),
        ...problems({ 401: 'Not signed in' }),
      },
    }),
    async (c) => {
      const items = await service.inbox(c.var.user.id);
      return c.json({ items: items.map(({ userId: _, ...item }) => item) }, 200);
    },
  );

  return router;
}
