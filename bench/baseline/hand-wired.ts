import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';
import { newId } from '../../src/shared/db/new-id.js';
import { z } from 'zod';
import { openModuleDbs } from './module-dbs.js';
import { OutOfStock, placeOrder } from './place-order.js';
import { placeOrderDurably } from './place-order-durably.js';
import { commitEachStep } from './commit-each-step.js';
import { openShopDb } from './shop-db.js';

// The bench's baselines: Carve's order flow written straight in one route, with direct
// calls, and no ports, DI, relays or contract validation. FLOW=lean writes the order's
// rows to one file and nothing else; FLOW=durable writes what Carve writes, where Carve
// writes it: four module databases, outbox, delivery and inbox rows, the same transactions.
// FLOW=stepwise is the durable flow committing as Carve does: each step saved before the
// next begins, and the steps begun in two turns of the event loop in a row sharing one
// COMMIT per database.
// They exist only to price the seams; nothing in src uses them.

const dir = process.env.DATA_DIR ?? '.';
const flow = process.env.FLOW ?? 'lean';
if (!['lean', 'durable', 'stepwise'].includes(flow)) throw new Error(`FLOW must be lean, durable or stepwise, not ${flow}`);
const lean = flow === 'lean' ? openShopDb(join(dir, 'shop.db')) : undefined;
const dbs = lean ? undefined : openModuleDbs(dir);
const stepwise = dbs && flow === 'stepwise' ? commitEachStep(dbs) : undefined;
// Only the stepwise flow waits for anything: the other two answer in the turn they ran.
const place = (userId: string, items: { productId: string; quantity: number }[], token: string) => {
  if (!dbs) return placeOrder(lean!, userId, items, token);
  if (stepwise) return stepwise(userId, items, token);
  return placeOrderDurably(dbs, userId, items, token);
};
const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
const OrderBody = z.object({ items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1), paymentToken: z.string() });

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

// One customer and one product with huge stock, so the bench needs no other API.
app.post('/bench/setup', async (c) => {
  const productId = newId();
  if (dbs) dbs.catalog.insertProduct.run(productId, `BENCH-${productId}`, 'Bench product', 1250, 1_000_000_000, Date.now(), Date.now());
  else lean!.insertProduct.run(productId, 1250, 1_000_000_000, Date.now());
  const token = await new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'EdDSA' }).setSubject(newId()).setExpirationTime('1h').sign(privateKey);
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
    const order = place(claims.payload.sub, body.data.items, body.data.paymentToken);
    return c.json(order instanceof Promise ? await order : order, 201);
  } catch (err) {
    if (err instanceof OutOfStock) return c.json({ code: 'OUT_OF_STOCK' }, 409);
    throw err;
  }
});

serve({ fetch: app.fetch, hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
