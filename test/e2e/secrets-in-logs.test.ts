import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceTokens } from '../../src/shared/remote/service-token.js';
import { ADMIN, TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { tapChildOutput } from '../support/child-service.js';
import { adminToken, createProduct } from '../support/storefront-client.js';

const MULTI_PROCESS = TOPOLOGIES.find((t) => t.runner === 'multi-process')!;
/** Any JWT: a user token or a service token. Both start with a base64url `{"`. */
const JWT = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]+/;

describe('secrets in the logs of every process', () => {
  let t: TestCarve;
  const logs = new Map<string, string>();
  const untap = tapChildOutput((child, text) => logs.set(child, (logs.get(child) ?? '') + text));
  // Each one unique, so finding it in a log can only mean it was written there.
  const password = `pw-${randomUUID()}`;
  const wrongPassword = `wrong-${randomUUID()}`;
  const refusedPassword = `refused-${randomUUID()}`;
  const declinedCard = `tok_${randomUUID().replaceAll('-', '')}`;
  const garbageBearer = `not-a-token-${randomUUID()}`;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    // trace: every line any process can write, so a secret in a debug line is caught too.
    t = await startCarve(MULTI_PROCESS, { LOG_LEVEL: 'trace' });
    const secret = t.cluster!.secret;
    const email = `secretive.${Date.now()}@carve.test`;

    expect((await t.request('POST', '/api/identity/users', { body: { email, password, name: 'S' } })).status).toBe(201);
    expect((await t.request('POST', '/api/identity/users', { body: { email: 'nope', password: refusedPassword, name: '' } })).status).toBe(400);
    const signedIn = await t.request('POST', '/api/identity/sessions', { body: { email, password } });
    const { token } = (await signedIn.json()) as { token: string };
    expect((await t.request('POST', '/api/identity/sessions', { body: { email, password: wrongPassword } })).status).toBe(401);
    expect((await t.request('GET', '/api/identity/me', { token })).status).toBe(200);
    expect((await t.request('GET', '/api/identity/me', { token: garbageBearer })).status).toBe(401);

    const admin = await adminToken(t);
    const product = await createProduct(t, admin);
    const order = (paymentToken: string) =>
      t.request('POST', '/api/orders', { token, body: { items: [{ productId: product.id, quantity: 1 }], paymentToken } });
    const paid = await order('tok_visa');
    expect(paid.status).toBe(201);
    const orderId = ((await paid.json()) as { id: string }).id;
    expect((await order(declinedCard)).status).toBe(402);
    expect((await t.request('GET', '/api/payments', { token: admin })).status).toBe(200);
    expect((await t.request('GET', '/api/notifications', { token })).status).toBe(200);

    // Internal RPC straight to the payments process, with a good service token and a bad one.
    const serviceToken = await serviceTokens(secret).mint('orders', 'payments');
    const rpc = (bearer: string) =>
      fetch(`${t.cluster!.services.get('payments')!.url}/_rpc/payments/getPayment`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ orderId }),
      });
    expect((await rpc(serviceToken)).status).toBe(200);
    expect((await rpc(token)).status).toBe(401);

    Object.assign(secrets, {
      password,
      wrongPassword,
      refusedPassword,
      adminPassword: ADMIN.password,
      userToken: token,
      adminToken: admin,
      serviceToken,
      garbageBearer,
      declinedCard,
      visaCard: 'tok_visa',
      SERVICE_SECRET: secret,
    });
    await allLogged();
  }, 120_000);
  afterAll(async () => {
    untap();
    await t?.stop();
  });

  /**
   * allLogged waits until each process has logged one last request. A pipe keeps order,
   * so once that line is here, every line the process wrote before it is here too.
   */
  async function allLogged() {
    const marker = `last-${randomUUID()}`;
    const processes = [t.cluster!.gateway, ...t.cluster!.services.values()];
    await Promise.all(processes.map((p) => fetch(`${p.url}/health`, { headers: { 'x-request-id': marker } })));
    const deadline = Date.now() + 10_000;
    while ([...logs.values()].filter((text) => text.includes(marker)).length < processes.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...logs.values()].filter((text) => text.includes(marker))).toHaveLength(processes.length);
  }

  it('captured the log of every process, each with the requests it served', () => {
    expect(logs.size).toBe(t.cluster!.services.size + 1);
    for (const [child, text] of logs) expect(text, child).toMatch(/"msg":"request"/);
  });

  it('writes no password, user token, payment token, service token or SERVICE_SECRET anywhere', () => {
    for (const [child, text] of logs) {
      for (const [name, value] of Object.entries(secrets)) expect(text.includes(value), `${name} in the log of ${child}`).toBe(false);
      expect(text.match(JWT)?.[0], `a JWT in the log of ${child}`).toBeUndefined();
    }
  });
});
