import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { generateSigningKey } from '../../src/modules/identity/signing-key.js';
import {
  ACCESS_MATRIX,
  type AccessFixture,
  type AccessRow,
  CALLERS,
  type Caller,
  makeCredentials,
  openApiRoutes,
  routeKey,
  routesWithoutRow,
} from '../support/access-matrix.js';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

const SECRET = 'access-matrix-secret-0123456789abcdef';
const OPS = ['GET /health', 'GET /ready', 'GET /openapi.json', 'GET /docs', 'GET /metrics', 'GET /_carve', 'GET /_carve/api/topology'];

describe('who may call what', () => {
  let t: InProcessCarve;
  let fx: AccessFixture;
  let customer: Customer;
  let other: Customer;
  let tokenFor: Awaited<ReturnType<typeof makeCredentials>>;

  beforeAll(async () => {
    const signingKey = await generateSigningKey();
    t = await startCarve('sqlite', { SERVICE_SECRET: SECRET, JWT_PRIVATE_KEY: signingKey.pem.replaceAll('\n', '\\n') });
    const admin = await adminToken(t);
    customer = await signUp(t, 'Owner');
    other = await signUp(t, 'Stranger');
    const product = await createProduct(t, admin, { stock: 1_000 });
    const placed = await t.request('POST', '/api/orders', {
      token: customer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
    });
    expect(placed.status).toBe(201);
    const catalog = t.port(catalogContract);
    fx = {
      customer: { ...customer, password: 'correct-horse-battery' },
      productId: product.id,
      orderId: ((await placed.json()) as { id: string }).id,
      unique: () => randomUUID(),
      async heldReservation() {
        const reservationId = randomUUID();
        await catalog.reserve({ reservationId, items: [{ productId: product.id, quantity: 1 }] });
        return reservationId;
      },
    };
    tokenFor = await makeCredentials({ signingKey: signingKey.key, secret: SECRET, customer, otherCustomerToken: other.token, adminToken: admin });
  });
  afterAll(() => t?.stop());

  async function liveRoutes() {
    const doc = (await (await t.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const rpc = t.carve.hosted.flatMap(({ module }) =>
      Object.keys(module.contract.methods).map((method) => routeKey('POST', `/_rpc/${module.name}/${method}`)),
    );
    const events = t.carve.hosted.filter(({ module }) => (module.subscribes ?? []).length > 0).map(({ module }) => routeKey('POST', `/_events/${module.name}`));
    return [...OPS, ...openApiRoutes(doc), ...rpc, ...events];
  }

  it('has a row for every route in /openapi.json and every RPC method, and none for a route that is gone', async () => {
    expect(routesWithoutRow(await liveRoutes())).toEqual({ missing: [], stale: [] });
  });

  it('notices a route the table leaves out', async () => {
    const planted = routeKey('DELETE', '/api/orders/{id}');
    expect(routesWithoutRow([...(await liveRoutes()), planted]).missing).toEqual([planted]);
  });

  it.each(ACCESS_MATRIX.map((row) => ({ name: routeKey(row.method, row.route), row })))(
    '$name answers each caller as the table says',
    async ({ row }: { row: AccessRow }) => {
      const got = {} as Record<Caller, number>;
      for (const caller of CALLERS) {
        const { path = row.route, body } = (await row.request?.(fx)) ?? {};
        const res = await t.request(row.method, path, { token: await tokenFor(caller, path), body });
        got[caller] = res.status;
      }
      expect(got).toEqual(row.expect);
    },
  );

  it("shows another customer none of the first customer's orders or notifications", async () => {
    const orders = await t.request('GET', '/api/orders', { token: other.token });
    expect(JSON.stringify(await orders.json())).not.toContain(fx.orderId);
    // The owner is told their order is paid (a moment later: the notice follows an event); the stranger's inbox never names it.
    await vi.waitFor(async () => {
      const mine = await t.request('GET', '/api/notifications', { token: customer.token });
      expect(JSON.stringify(await mine.json())).toContain(fx.orderId);
    });
    const inbox = await t.request('GET', '/api/notifications', { token: other.token });
    expect(JSON.stringify(await inbox.json())).not.toContain(fx.orderId);
  });
});
