import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Topology } from '../../src/shared/admin/topology.js';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

const MODULES = ['catalog', 'identity', 'notifications', 'orders', 'payments'];

describe('the /_carve topology in a monolith', () => {
  let t: InProcessCarve;
  let admin: string;
  let customer: Customer;

  beforeAll(async () => {
    t = await startCarve('sqlite');
    admin = await adminToken(t);
    customer = await signUp(t);
  });
  afterAll(() => t?.stop());

  const topology = (token?: string) => t.request('GET', '/_carve/api/topology', { token });

  it('refuses the topology without a token, and to a customer, as problem+json', async () => {
    const anonymous = await topology();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    const asCustomer = await topology(customer.token);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.headers.get('content-type')).toContain('application/problem+json');
  });

  it('shows an admin every module in-process, with the ports and events the code declares', async () => {
    const res = await topology(admin);
    expect(res.status).toBe(200);
    const body = Topology.parse(await res.json());
    expect(body.process.service).toBe('carve');
    expect(body.modules.map((m) => m.name).sort()).toEqual(MODULES);
    for (const m of body.modules) expect(m).toMatchObject({ mode: 'in-process', healthy: true, outboxBacklog: expect.any(Number) });
    const edges = body.edges.map((e) => `${e.kind} ${e.from}->${e.to}`).sort();
    expect(edges).toEqual(['event identity->notifications', 'event orders->notifications', 'port orders->catalog', 'port orders->payments']);
    expect(body.edges.find((e) => e.from === 'orders' && e.to === 'notifications')?.events).toEqual(['orders.OrderPaid']);
  });

  it('puts a live call rate and latency on orders->payments once orders are placed', async () => {
    const product = await createProduct(t, admin, { stock: 100 });
    await topology(admin);
    for (let i = 0; i < 3; i++) {
      const placed = await t.request('POST', '/api/orders', {
        token: customer.token,
        body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
      });
      expect(placed.status).toBe(201);
    }
    // A new sample is taken at most once a second: wait for one that sees the orders.
    await vi.waitFor(
      async () => {
        const body = Topology.parse(await (await topology(admin)).json());
        const edge = body.edges.find((e) => e.kind === 'port' && e.from === 'orders' && e.to === 'payments');
        expect(edge?.callsPerSecond).toBeGreaterThan(0);
        expect(edge?.p50Ms).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 300 },
    );
  });

  it('serves the page shell to anyone, under a policy that runs only its own scripts', async () => {
    const res = await t.request('GET', '/_carve');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('id="login-form"');
    expect(html).not.toMatch(/<script>|\son[a-z]+="/);
    expect((await t.request('GET', '/_carve/carve.js')).headers.get('content-type')).toContain('javascript');
  });
});
