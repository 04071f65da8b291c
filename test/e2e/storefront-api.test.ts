import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

const PROBLEM = 'application/problem+json';

async function expectProblem(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain(PROBLEM);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  if (code) expect(body.code).toBe(code);
  return body;
}

describe.each(TOPOLOGIES)('the public API, $name', (topology) => {
  // Each topology has its own data; the suffix only keeps names readable in failures.
  const suffix = `${topology.runner.replace('-', '')}${topology.dialect}`;
  let t: TestCarve;
  let admin: string;
  let alice: Customer;
  let bob: Customer;

  beforeAll(async () => {
    t = await startCarve(topology);
    admin = await adminToken(t);
    alice = await signUp(t, 'Alice');
    bob = await signUp(t, 'Bob');
  });
  afterAll(() => t?.stop());

  describe('identity', () => {
    it('registers a customer and never returns the password or its hash', async () => {
      const res = await t.request('POST', '/api/identity/users', {
        body: { email: 'New.Person@Example.com', password: 'long-enough-pw', name: 'New' },
      });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body).toEqual({ id: expect.any(String), email: 'new.person@example.com', name: 'New', role: 'customer' });
      expect(JSON.stringify(body)).not.toMatch(/long-enough-pw|scrypt|hash/i);
    });

    it('answers 409 for an email already taken, whatever its case', async () => {
      const res = await t.request('POST', '/api/identity/users', {
        body: { email: alice.email.toUpperCase(), password: 'another-password', name: 'A' },
      });
      await expectProblem(res, 409);
    });

    it('answers 400 naming the fields for a bad email and a short password', async () => {
      const res = await t.request('POST', '/api/identity/users', { body: { email: 'nope', password: 'short', name: 'X' } });
      const body = await expectProblem(res, 400);
      const paths = (body.errors as { path: string }[]).map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['email', 'password']));
    });

    it('signs in with the right password and returns a token and its expiry', async () => {
      const res = await t.request('POST', '/api/identity/sessions', {
        body: { email: alice.email, password: 'correct-horse-battery' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; expiresAt: string };
      expect(body.token.split('.')).toHaveLength(3);
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('answers 401 for a wrong password and for an unknown email alike', async () => {
      const wrong = await t.request('POST', '/api/identity/sessions', { body: { email: alice.email, password: 'wrong-password!' } });
      const unknown = await t.request('POST', '/api/identity/sessions', { body: { email: 'ghost@carve.test', password: 'whatever-pw' } });
      const a = await expectProblem(wrong, 401);
      const b = await expectProblem(unknown, 401);
      expect(a.detail).toBe(b.detail);
    });

    it('tells a signed-in user who they are', async () => {
      const res = await t.request('GET', '/api/identity/me', { token: alice.token });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: alice.id, email: alice.email, role: 'customer' });
    });

    it('answers 401 to /me without a token and with a forged one', async () => {
      await expectProblem(await t.request('GET', '/api/identity/me'), 401);
      const [h, p] = alice.token.split('.');
      const forged = `${h}.${p}.${'A'.repeat(86)}`;
      await expectProblem(await t.request('GET', '/api/identity/me', { token: forged }), 401);
      const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: alice.id, role: 'admin', email: alice.email })).toString('base64url')}.${alice.token.split('.')[2]}`;
      await expectProblem(await t.request('GET', '/api/identity/me', { token: tampered }), 401);
    });
  });

  describe('catalog', () => {
    it('lets an admin create a product and anyone read it', async () => {
      const product = await createProduct(t, admin, { sku: `MUG-${suffix}`, name: 'Blue mug', priceCents: 1500, stock: 7 });
      const res = await t.request('GET', `/api/catalog/products/${product.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        id: product.id,
        sku: `MUG-${suffix}`,
        name: 'Blue mug',
        priceCents: 1500,
        currency: 'USD',
        stock: 7,
      });
    });

    it('answers 404 for an unknown product', async () => {
      await expectProblem(await t.request('GET', '/api/catalog/products/does-not-exist'), 404);
    });

    it('answers 409 for a taken sku', async () => {
      await createProduct(t, admin, { sku: `DUP-${suffix}` });
      const res = await t.request('POST', '/api/catalog/products', {
        token: admin,
        body: { sku: `DUP-${suffix}`, name: 'Again', priceCents: 1, stock: 1 },
      });
      await expectProblem(res, 409, 'SKU_TAKEN');
    });

    it('answers 401 without a token and 403 for a customer creating products', async () => {
      const body = { sku: 'X-1', name: 'X', priceCents: 1, stock: 1 };
      await expectProblem(await t.request('POST', '/api/catalog/products', { body }), 401);
      await expectProblem(await t.request('POST', '/api/catalog/products', { body, token: alice.token }), 403);
    });

    it('answers 400 for a negative price', async () => {
      const res = await t.request('POST', '/api/catalog/products', {
        token: admin,
        body: { sku: 'NEG', name: 'Negative', priceCents: -1, stock: 1 },
      });
      const problem = await expectProblem(res, 400);
      expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain('priceCents');
    });

    it('lets an admin change name, price and stock', async () => {
      const product = await createProduct(t, admin, { priceCents: 100, stock: 1 });
      const res = await t.request('PATCH', `/api/catalog/products/${product.id}`, {
        token: admin,
        body: { name: 'Renamed', priceCents: 250, stock: 40 },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ name: 'Renamed', priceCents: 250, stock: 40 });
      await expectProblem(
        await t.request('PATCH', `/api/catalog/products/${product.id}`, { token: alice.token, body: { stock: 1 } }),
        403,
      );
      await expectProblem(await t.request('PATCH', '/api/catalog/products/nope', { token: admin, body: { stock: 1 } }), 404);
    });

    it('searches by sku or name, case-insensitively, page by page', async () => {
      const tag = `zq${suffix}`;
      for (let i = 0; i < 5; i++) await createProduct(t, admin, { sku: `${tag.toUpperCase()}-${i}`, name: `Item ${i}` });
      await createProduct(t, admin, { sku: `OTHER-${suffix}`, name: `Lamp ${tag} edition` });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = `q=${tag.toUpperCase()}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.request('GET', `/api/catalog/products?${qs}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as { items: { sku: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((p) => p.sku));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
    });

    it('treats % and _ in a search literally', async () => {
      const res = await t.request('GET', '/api/catalog/products?q=%25');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
    });

    it('answers 400 for a bad limit or cursor', async () => {
      await expectProblem(await t.request('GET', '/api/catalog/products?limit=0'), 400);
      await expectProblem(await t.request('GET', '/api/catalog/products?cursor=!!!'), 400);
    });
  });

  describe('orders', () => {
    it('places a paid order at the catalog price, whatever the client claims', async () => {
      const product = await createProduct(t, admin, { priceCents: 1999, stock: 5 });
      const res = await t.request('POST', '/api/orders', {
        token: alice.token,
        body: { items: [{ productId: product.id, quantity: 2, unitPriceCents: 1 }], paymentToken: 'tok_visa' },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({
        id: expect.any(String),
        status: 'paid',
        totalCents: 3998,
        currency: 'USD',
        items: [{ productId: product.id, quantity: 2, unitPriceCents: 1999 }],
      });
    });

    it('answers 400 for an empty order and for a quantity of zero', async () => {
      await expectProblem(await t.request('POST', '/api/orders', { token: alice.token, body: { items: [], paymentToken: 'tok_visa' } }), 400);
      const product = await createProduct(t, admin);
      await expectProblem(
        await t.request('POST', '/api/orders', {
          token: alice.token,
          body: { items: [{ productId: product.id, quantity: 0 }], paymentToken: 'tok_visa' },
        }),
        400,
      );
    });

    it('answers 401 to an anonymous order', async () => {
      await expectProblem(await t.request('POST', '/api/orders', { body: { items: [], paymentToken: 'x' } }), 401);
    });

    it('shows customers their own orders only, and an admin all of them', async () => {
      const product = await createProduct(t, admin, { stock: 10 });
      const place = (token: string) =>
        t.request('POST', '/api/orders', { token, body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' } });
      const mine = (await (await place(alice.token)).json()) as { id: string };
      const theirs = (await (await place(bob.token)).json()) as { id: string };

      const aliceList = (await (await t.request('GET', '/api/orders', { token: alice.token })).json()) as { items: { id: string; userId: string }[] };
      expect(aliceList.items.map((o) => o.id)).toContain(mine.id);
      expect(aliceList.items.every((o) => o.userId === alice.id)).toBe(true);

      const adminList = (await (await t.request('GET', '/api/orders', { token: admin })).json()) as { items: { id: string }[] };
      expect(adminList.items.map((o) => o.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));

      expect((await t.request('GET', `/api/orders/${mine.id}`, { token: alice.token })).status).toBe(200);
      expect((await t.request('GET', `/api/orders/${theirs.id}`, { token: admin })).status).toBe(200);
      await expectProblem(await t.request('GET', `/api/orders/${theirs.id}`, { token: alice.token }), 404);
      await expectProblem(await t.request('GET', '/api/orders'), 401);
    });
  });

  describe('payments and notifications', () => {
    it('lets an admin see the payment of an order, and no one else', async () => {
      const product = await createProduct(t, admin, { priceCents: 700 });
      const order = (await (
        await t.request('POST', '/api/orders', {
          token: alice.token,
          body: { items: [{ productId: product.id, quantity: 3 }], paymentToken: 'tok_visa' },
        })
      ).json()) as { id: string };
      const res = await t.request('GET', `/api/payments?orderId=${order.id}`, { token: admin });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        items: [expect.objectContaining({ id: expect.any(String), orderId: order.id, amountCents: 2100, currency: 'USD', status: 'succeeded' })],
      });
      await expectProblem(await t.request('GET', `/api/payments?orderId=${order.id}`, { token: alice.token }), 403);
      await expectProblem(await t.request('GET', `/api/payments?orderId=${order.id}`), 401);
    });

    it('tells the buyer, and only the buyer, that their order is paid', async () => {
      const carol = await signUp(t, 'Carol');
      const product = await createProduct(t, admin);
      const order = (await (
        await t.request('POST', '/api/orders', {
          token: carol.token,
          body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
        })
      ).json()) as { id: string };
      // The notice follows the OrderPaid event, so it arrives shortly after the order answers.
      const paid = await vi.waitFor(async () => {
        const res = await t.request('GET', '/api/notifications', { token: carol.token });
        expect(res.status).toBe(200);
        const { items } = (await res.json()) as { items: { kind: string; subject: string; body: string }[] };
        const found = items.filter((n) => n.kind === 'order_paid');
        expect(found).toHaveLength(1);
        return found;
      }, { timeout: 10_000, interval: 50 });
      expect(`${paid[0]!.subject} ${paid[0]!.body}`).toContain(order.id);

      const others = (await (await t.request('GET', '/api/notifications', { token: bob.token })).json()) as { items: { body: string }[] };
      expect(others.items.some((n) => n.body.includes(order.id))).toBe(false);
      await expectProblem(await t.request('GET', '/api/notifications'), 401);
    });
  });

  describe('the HTTP edge', () => {
    it('answers 404 problem+json for an unknown route', async () => {
      await expectProblem(await t.request('GET', '/api/nowhere'), 404);
    });

    it('answers 413 for a body over the limit', async () => {
      const huge = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(1024 * 1024 + 10), name: 'n' });
      await expectProblem(await t.request('POST', '/api/identity/users', { body: huge }), 413);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await t.request('POST', '/api/identity/users', { body: '{"email":', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
    });

    it('returns a request id on every response, and keeps one the client sent', async () => {
      const res = await t.request('GET', '/health', { headers: { 'x-request-id': 'client-chosen-id' } });
      expect(res.headers.get('x-request-id')).toBe('client-chosen-id');
      expect((await t.request('GET', '/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('keeps the request id on a module route, wherever the module runs, and one per request otherwise', async () => {
      const kept = await t.request('GET', '/api/catalog/products?limit=1', { headers: { 'x-request-id': 'client-chosen-id-2' } });
      expect(kept.status).toBe(200);
      expect(kept.headers.get('x-request-id')).toBe('client-chosen-id-2');
      const made = await t.request('GET', '/api/catalog/products/unknown');
      const id = made.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      // The problem body names the same id the headers do, even when another process wrote it.
      expect(((await made.json()) as { requestId: string }).requestId).toBe(id);
    });

    it('sets secure headers', async () => {
      const res = await t.request('GET', '/health');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBeTruthy();
    });

    it('reports every module, and the database of each one it hosts, as ready', async () => {
      const res = await t.request('GET', '/ready');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { modules: { name: string; ok: boolean; database?: { ok: boolean } }[] };
      expect(body.modules.map((m) => m.name).sort()).toEqual(['catalog', 'identity', 'notifications', 'orders', 'payments']);
      expect(body.modules.every((m) => m.ok && (m.database?.ok ?? true))).toBe(true);
    });

    it('publishes an OpenAPI 3.1 document covering every public route, and a docs page', async () => {
      const doc = (await (await t.request('GET', '/openapi.json')).json()) as {
        openapi: string;
        paths: Record<string, Record<string, { tags?: string[] }>>;
      };
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.paths['/api/orders']?.post?.tags).toEqual(['orders']);
      expect(doc.paths['/api/catalog/products/{id}']?.get?.tags).toEqual(['catalog']);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/identity/users',
          '/api/identity/sessions',
          '/api/identity/me',
          '/api/catalog/products',
          '/api/catalog/products/{id}',
          '/api/orders',
          '/api/orders/{id}',
          '/api/payments',
          '/api/notifications',
        ]),
      );
      const docs = await t.request('GET', '/docs');
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('/docs/init.js');
      expect(await (await t.request('GET', '/docs/init.js')).text()).toContain('"/openapi.json"');
      expect((await t.request('GET', '/docs/swagger-ui-bundle.js')).status).toBe(200);
    });
  });
});
