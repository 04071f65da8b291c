import { expect } from 'vitest';
import { ADMIN, type TestCarve } from './carve-harness.js';

let counter = 0;

/** A signed-up customer and their token. */
export interface Customer {
  id: string;
  email: string;
  token: string;
}

/** signUp registers a fresh customer through the public API and signs them in. */
export async function signUp(t: TestCarve, name = 'Ada'): Promise<Customer> {
  const email = `user${++counter}.${Date.now()}@carve.test`;
  const password = 'correct-horse-battery';
  const created = await t.request('POST', '/api/identity/users', { body: { email, password, name } });
  expect(created.status).toBe(201);
  const user = (await created.json()) as { id: string };
  return { id: user.id, email, token: await signIn(t, email, password) };
}

/** signIn returns a bearer token for an existing account. */
export async function signIn(t: TestCarve, email: string, password: string): Promise<string> {
  const res = await t.request('POST', '/api/identity/sessions', { body: { email, password } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** adminToken signs in as the admin created at start-up from ADMIN_EMAIL and ADMIN_PASSWORD. */
export function adminToken(t: TestCarve): Promise<string> {
  return signIn(t, ADMIN.email, ADMIN.password);
}

/** createProduct adds a product as admin and returns it. */
export async function createProduct(
  t: TestCarve,
  admin: string,
  fields: { sku?: string; name?: string; priceCents?: number; stock?: number } = {},
): Promise<{ id: string; sku: string; priceCents: number; stock: number }> {
  const body = {
    sku: fields.sku ?? `SKU-${++counter}-${Date.now()}`,
    name: fields.name ?? 'Test product',
    priceCents: fields.priceCents ?? 1250,
    stock: fields.stock ?? 10,
  };
  const res = await t.request('POST', '/api/catalog/products', { body, token: admin });
  expect(res.status).toBe(201);
  return res.json() as Promise<{ id: string; sku: string; priceCents: number; stock: number }>;
}

/** placeOrder has a fresh customer buy one of a fresh product with a card that pays; it returns the order's id. */
export async function placeOrder(t: TestCarve): Promise<string> {
  const product = await createProduct(t, await adminToken(t));
  const customer = await signUp(t);
  const res = await t.request('POST', '/api/orders', {
    token: customer.token,
    body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
