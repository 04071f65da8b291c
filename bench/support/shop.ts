import { ADMIN } from './topology.js';

/** Shop is what an order load needs: a signed-in customer and a product that never runs out. */
export interface Shop {
  token: string;
  productId: string;
}

async function call<T>(url: string, method: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

/**
 * prepareShop signs in as the admin, adds one product with huge stock, and registers and
 * signs in one customer, all through Carve's public API.
 *
 * @example const { token, productId } = await prepareShop(topology.url)
 */
export async function prepareShop(url: string): Promise<Shop> {
  const signIn = (email: string, password: string) =>
    call<{ token: string }>(`${url}/api/identity/sessions`, 'POST', { email, password }).then((r) => r.token);
  const admin = await signIn(ADMIN.email, ADMIN.password);
  const product = await call<{ id: string }>(
    `${url}/api/catalog/products`,
    'POST',
    { sku: `BENCH-${Date.now()}`, name: 'Bench product', priceCents: 1250, stock: 1_000_000_000 },
    admin,
  );
  const customer = { email: `bench.${Date.now()}@carve.test`, password: 'correct-horse-battery', name: 'Bench' };
  await call(`${url}/api/identity/users`, 'POST', customer);
  return { token: await signIn(customer.email, customer.password), productId: product.id };
}

/** orderBody is the one order every request of the load places. */
export const orderBody = (productId: string) => JSON.stringify({ items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa' });

/**
 * placeOrder places one order and returns its id, failing on anything but 201.
 *
 * @example const id = await placeOrder(url, shop)
 */
export async function placeOrder(url: string, { token, productId }: Shop): Promise<string> {
  const res = await fetch(`${url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: orderBody(productId),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`POST /api/orders: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}
