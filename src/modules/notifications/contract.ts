import { z } from 'zod';
import { defineContract, method } from '../../shared/contract/index.js';
import { Id, Timestamp } from '../../shared/schemas/common.js';

export const NotificationKind = z.enum(['welcome', 'order_paid']);

export const Notification = z.object({
  id: Id,
  userId: Id,
  kind: NotificationKind,
  subject: z.string(),
  body: z.string(),
  createdAt: Timestamp,
});
export type Notification = z.output<typeof Notification>;

/** notificationsContract: tell a user something, once per dedupe key. */
export const notificationsContract = defineContract({
  name: 'notifications',
  version: 1,
  errors: {},
  methods: {
    notify: method({
      input: z.object({
        userId: Id,
        kind: NotificationKind,
        subject: z.string().min(1).max(200),
        body: z.string().min(1).max(5000),
        /** One notification per key: `order_paid:<orderId>`, say. */
        dedupeKey: z.string().min(1).max(200),
      }),
      output: Notification,
      idempotencyKey: 'dedupeKey',
    }),
  },
});
