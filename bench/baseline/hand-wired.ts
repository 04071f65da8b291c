import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { OutOfStock, placeOrder } from './place-order.js';
import { openShopDb } from './shop-db.js';

// The bench's baseline: Carve's order flow written straight in one route, with direct
// calls and the same SQLite writes, and no ports, DI, outbox or contract validation.
// It exists only to price the seams; nothing in src uses it.

const db = openShopDb(join(process.env.DATA_DIR ?? '.', 'shop.db'));
const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
const OrderBody = z.object({ items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1), paymentToken: z.string() });

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

// One customer and one product with huge stock, so the bench needs no other API.
app.post('/bench/setup', async (c) => {
  const productId = uuidv7();
  db.insertProduct.run(productId, 1250, 1_000_000_000, Date.now());
  const token = await new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'EdDSA' }).setSubject(uuidv7()).setExpirationTime('1h').sign(privateKey);
  return c.json({ token, productId });
});

app.post('/api/orders', async (c) => {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!bearer) return c.json({ code: 'UNAUTHORIZED' }, 401);
  const claims = await jwtVerify(bearer, publicKey, { algorithms: ['EdDSA'] }).catch(() => undefined);
  if (!claims?.payload.sub) return c.json({ code: 'UNAUTHORIZED' }, 401);
  const body = OrderBody.safeParse(await c.req.json().catch(() => undefined));
  if (!body.success) return c.json({ code: 'VALIDATION_FAILED' }, 400);
  try {
    return c.json(placeOrder(db, claims.payload.sub, body.data.items, body.data.paymentToken), 201);
  } catch (err) {
    if (err instanceof OutOfStock) return c.json({ code: 'OUT_OF_STOCK' }, 409);
    throw err;
  }
});

serve({ fetch: app.fetch, hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
