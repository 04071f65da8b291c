import { type SigningKey, generateSigningKey, signUserToken } from '../../src/modules/identity/signing-key.js';
import { serviceTokens } from '../../src/shared/remote/service-token.js';

/**
 * Caller is who knocks. otherCustomer is a second customer asking for what the first one
 * owns. forged, expired and service depend on the route: on a public route they are a user
 * token signed with another key, a user token past its expiry, and a service token; on
 * /_rpc they are a service token signed with another secret, a service token past its
 * expiry, and a valid one. customer and admin on /_rpc are user tokens where a service
 * token belongs; serviceForOther is a valid service token minted for another module.
 */
export const CALLERS = [
  'anonymous',
  'customer',
  'otherCustomer',
  'admin',
  'forged',
  'expired',
  'service',
  'serviceForOther',
] as const;
export type Caller = (typeof CALLERS)[number];

/** AccessFixture is what rows build requests from: things owned by `customer`, and fresh values. */
export interface AccessFixture {
  customer: { id: string; email: string; password: string };
  productId: string;
  /** An order `customer` placed and paid for. */
  orderId: string;
  /** A value no earlier request used, so a create succeeds every time. */
  unique(): string;
  /** Holds one unit of the product and returns the reservation id. */
  heldReservation(): Promise<string>;
}

export interface AccessRow {
  method: 'GET' | 'POST' | 'PATCH';
  /** As /openapi.json names it, or /_rpc/<module>/<method>. */
  route: string;
  /** The concrete path (when the route has parameters) and body; built anew for every caller. */
  request?: (fx: AccessFixture) => { path?: string; body?: unknown } | Promise<{ path?: string; body?: unknown }>;
  expect: Record<Caller, number>;
}

const each = (status: number) => Object.fromEntries(CALLERS.map((c) => [c, status])) as Record<Caller, number>;
/** Open to anyone: a bad token on an open route is ignored, as if none were sent. */
const anyone = (status: number) => each(status);
const signedIn = (status: number) => ({ ...each(401), customer: status, otherCustomer: status, admin: status });
const adminOnly = (status: number) => ({ ...each(401), customer: 403, otherCustomer: 403, admin: status });
const serviceOnly = (status: number) => ({ ...each(401), service: status });

const rpc = (route: string, request: AccessRow['request']): AccessRow => ({ method: 'POST', route, request, expect: serviceOnly(200) });

/**
 * ACCESS_MATRIX says, for every route, what each caller gets. It is the one place the
 * access rules are written down for tests; a route without a row fails the matrix test.
 */
export const ACCESS_MATRIX: readonly AccessRow[] = [
  { method: 'GET', route: '/health', expect: anyone(200) },
  { method: 'GET', route: '/ready', expect: anyone(200) },
  { method: 'GET', route: '/openapi.json', expect: anyone(200) },
  { method: 'GET', route: '/docs', expect: anyone(200) },
  // Open like /health: counts and timings for a Prometheus server, no data.
  { method: 'GET', route: '/metrics', expect: anyone(200) },
  // The page is a sign-in form and a script; what it shows comes from the topology, which is admin only.
  { method: 'GET', route: '/_carve', expect: anyone(200) },
  { method: 'GET', route: '/_carve/api/topology', expect: adminOnly(200) },

  {
    method: 'POST',
    route: '/api/identity/users',
    request: (fx) => ({ body: { email: `${fx.unique()}@carve.test`, password: 'long-enough-pw', name: 'New' } }),
    expect: anyone(201),
  },
  {
    method: 'POST',
    route: '/api/identity/sessions',
    request: (fx) => ({ body: { email: fx.customer.email, password: fx.customer.password } }),
    expect: anyone(200),
  },
  { method: 'GET', route: '/api/identity/me', expect: signedIn(200) },

  { method: 'GET', route: '/api/catalog/products', expect: anyone(200) },
  {
    method: 'GET',
    route: '/api/catalog/products/{id}',
    request: (fx) => ({ path: `/api/catalog/products/${fx.productId}` }),
    expect: anyone(200),
  },
  {
    method: 'POST',
    route: '/api/catalog/products',
    request: (fx) => ({ body: { sku: fx.unique(), name: 'Matrix mug', priceCents: 100, stock: 1 } }),
    expect: adminOnly(201),
  },
  {
    method: 'PATCH',
    route: '/api/catalog/products/{id}',
    request: (fx) => ({ path: `/api/catalog/products/${fx.productId}`, body: { name: `Renamed ${fx.unique()}` } }),
    expect: adminOnly(200),
  },

  { method: 'GET', route: '/api/payments', expect: adminOnly(200) },
  { method: 'GET', route: '/api/notifications', expect: signedIn(200) },

  {
    method: 'POST',
    route: '/api/orders',
    request: (fx) => ({ body: { items: [{ productId: fx.productId, quantity: 1 }], paymentToken: 'tok_visa' } }),
    expect: signedIn(201),
  },
  { method: 'GET', route: '/api/orders', expect: signedIn(200) },
  {
    method: 'GET',
    route: '/api/orders/{id}',
    request: (fx) => ({ path: `/api/orders/${fx.orderId}` }),
    // Someone else's order is a 404, not a 403: a stranger learns nothing, not even that it exists.
    expect: { ...signedIn(200), otherCustomer: 404 },
  },

  rpc('/_rpc/identity/getVerificationKey', () => ({ body: {} })),
  rpc('/_rpc/identity/getUser', (fx) => ({ body: { id: fx.customer.id } })),
  rpc('/_rpc/catalog/getProduct', (fx) => ({ body: { id: fx.productId } })),
  rpc('/_rpc/catalog/reserve', (fx) => ({ body: { reservationId: fx.unique(), items: [{ productId: fx.productId, quantity: 1 }] } })),
  rpc('/_rpc/catalog/commit', async (fx) => ({ body: { reservationId: await fx.heldReservation() } })),
  rpc('/_rpc/catalog/release', async (fx) => ({ body: { reservationId: await fx.heldReservation() } })),
  rpc('/_rpc/orders/getOrder', (fx) => ({ body: { id: fx.orderId } })),
  rpc('/_rpc/payments/charge', (fx) => ({
    body: { orderId: fx.unique(), userId: fx.customer.id, amountCents: 100, currency: 'USD', paymentToken: 'tok_visa' },
  })),
  rpc('/_rpc/payments/getPayment', (fx) => ({ body: { orderId: fx.orderId } })),
  rpc('/_rpc/notifications/notify', (fx) => ({
    body: { userId: fx.customer.id, kind: 'welcome', subject: 'Hi', body: 'Hello', dedupeKey: fx.unique() },
  })),
  rpc('/_events/notifications', (fx) => ({
    body: {
      events: [
        {
          id: fx.unique(),
          type: 'identity.UserRegistered',
          version: 1,
          aggregateId: fx.customer.id,
          occurredAt: Date.now(),
          payload: { userId: fx.customer.id, email: 'someone@carve.test', name: 'Someone' },
        },
      ],
    },
  })),
];

/** routeKey names a route the way the matrix and the route lists compare them: `GET /api/orders/{id}`. */
export const routeKey = (method: string, route: string) => `${method.toUpperCase()} ${route}`;

/**
 * routesWithoutRow lists the routes the matrix has no row for, and the rows for routes
 * that no longer exist, so a new route cannot skip the matrix and a stale row cannot linger.
 */
export function routesWithoutRow(routes: string[], rows: readonly AccessRow[] = ACCESS_MATRIX) {
  const inTable = new Set(rows.map((r) => routeKey(r.method, r.route)));
  const existing = new Set(routes);
  return { missing: routes.filter((r) => !inTable.has(r)), stale: [...inTable].filter((r) => !existing.has(r)) };
}

/** Every method of /openapi.json's paths, as route keys. */
export function openApiRoutes(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => routeKey(method, path)));
}

export interface CredentialsInput {
  /** identity's signing key, given to the storefront as JWT_PRIVATE_KEY. */
  signingKey: SigningKey;
  /** The storefront's SERVICE_SECRET. */
  secret: string;
  customer: { id: string; email: string; token: string };
  otherCustomerToken: string;
  adminToken: string;
}

/** The module a route belongs to: `catalog` for /api/catalog/... and /_rpc/catalog/... */
const moduleOf = (path: string) => path.split('/')[2] || 'identity';
// Internal endpoints take service tokens: internal RPC and events pushed by another process's relay.
const isRpc = (path: string) => /^\/_(rpc|events)\//.test(path);

/**
 * makeCredentials returns, for each caller and route, the bearer token that caller shows
 * (undefined for anonymous). Bad tokens are made the way an attacker or a stale client
 * would: the real key id with another key, the real key past its expiry.
 *
 * @example const tokenFor = await makeCredentials(input); await tokenFor('forged', '/api/identity/me')
 */
export async function makeCredentials(input: CredentialsInput) {
  const { signingKey, secret, customer } = input;
  const tokens = serviceTokens(secret);
  const impostorKey = (await generateSigningKey()).key;
  // Claims to be the customer, promoted to admin, under the real key id.
  const forgedUser = (
    await signUserToken({ ...impostorKey, kid: signingKey.kid }, { id: customer.id, email: customer.email, role: 'admin' }, 3_600_000)
  ).token;
  const expiredUser = (await signUserToken(signingKey, { ...customer, role: 'customer' }, -600_000)).token;
  const impostorTokens = serviceTokens(`${secret}-but-not-quite`);

  return async function tokenFor(caller: Caller, path: string): Promise<string | undefined> {
    const module = moduleOf(path);
    const other = module === 'payments' ? 'catalog' : 'payments';
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'customer':
        return customer.token;
      case 'otherCustomer':
        return input.otherCustomerToken;
      case 'admin':
        return input.adminToken;
      case 'forged':
        return isRpc(path) ? impostorTokens.mint('orders', module) : forgedUser;
      case 'expired':
        return isRpc(path) ? expiredServiceToken(secret, module) : expiredUser;
      case 'service':
        return tokens.mint('orders', module);
      case 'serviceForOther':
        return tokens.mint('orders', other);
    }
  };
}

/** expiredServiceToken mints a real service token ten minutes in the past, so it has expired by now. */
function expiredServiceToken(secret: string, callee: string): Promise<string> {
  const realNow = Date.now;
  Date.now = () => realNow() - 600_000;
  try {
    // mint reads the clock before its first await: the clock is back before anything else runs.
    return serviceTokens(secret).mint('orders', callee);
  } finally {
    Date.now = realNow;
  }
}
