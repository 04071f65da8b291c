import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { generateSigningKey } from '../../src/modules/identity/signing-key.js';
import { PROBLEM_CONTENT_TYPE } from '../../src/shared/errors/problem-json.js';
import { type Caller, makeCredentials } from '../support/access-matrix.js';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { type FuzzRequest, type FuzzTarget, PROTO_KEYS, fuzzRequest } from '../support/fuzz-arbitraries.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

const SECRET = 'fuzz-service-secret-0123456789abcdef';
/** Generated requests per endpoint; together they make well over 10,000. */
const RUNS = 400;
/** Sign-up and sign-in hash a password (scrypt, ~60 ms) on most requests that get that far. */
const SLOW = new Map([
  ['POST /api/identity/users', 120],
  ['POST /api/identity/sessions', 120],
]);
const MIN_REQUESTS = 10_000;

/** What the families build their targets from. */
interface FuzzFixture {
  t: InProcessCarve;
  tokenFor(caller: Caller, path: string): Promise<string | undefined>;
  examples: Record<string, unknown>;
  ids: string[];
}

const bearer = (tokens: (string | undefined)[]) => tokens.filter((t) => t !== undefined).map((t) => `Bearer ${t}`);

async function authFor(fx: FuzzFixture, path: string, valid: Caller[], bad: Caller[]) {
  return {
    validAuth: bearer(await Promise.all(valid.map((c) => fx.tokenFor(c, path)))),
    badAuth: bearer(await Promise.all(bad.map((c) => fx.tokenFor(c, path)))),
  };
}

/**
 * FAMILIES are the endpoint families the fuzzer covers, each building its targets when
 * its turn comes (service tokens live a minute). A new family is one more entry here.
 */
const FAMILIES: { name: string; targets(fx: FuzzFixture): Promise<FuzzTarget[]> }[] = [
  {
    name: 'every public route in /openapi.json',
    async targets(fx) {
      const doc = (await (await fx.t.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ path, method: m.toUpperCase() })));
      return Promise.all(
        routes.map(async ({ path, method }) => ({
          name: `${method} ${path}`,
          method,
          path,
          example: fx.examples[`${method} ${path}`],
          ids: fx.ids,
          ...(await authFor(fx, path, ['customer', 'admin'], ['forged', 'expired', 'service'])),
        })),
      );
    },
  },
  {
    name: 'the ops endpoints and routes that do not exist',
    async targets(fx) {
      const auth = await authFor(fx, '/api/orders', ['customer', 'admin'], ['forged', 'expired', 'service']);
      return ['/health', '/ready', '/{a}/{b}', '/api/{a}'].map((path) => ({ name: `GET ${path}`, method: 'GET', path, ids: fx.ids, ...auth }));
    },
  },
  {
    name: 'internal RPC',
    async targets(fx) {
      const methods = fx.t.carve.hosted.flatMap(({ module }) => Object.keys(module.contract.methods).map((m) => `${module.name}.${m}`));
      const perMethod = await Promise.all(
        methods.map(async (name) => {
          const path = `/_rpc/${name.replace('.', '/')}`;
          const auth = await authFor(fx, path, ['service'], ['customer', 'admin', 'forged', 'expired', 'serviceForOther']);
          return { name: `POST ${path}`, method: 'POST', path, example: fx.examples[name], ids: fx.ids, ...auth };
        }),
      );
      // Any module and method name, prototype keys included, with a token valid for some of them.
      const names = [...new Set(methods.flatMap((m) => m.split('.'))), ...PROTO_KEYS];
      const anyAuth = await Promise.all(names.map((n) => authFor(fx, `/_rpc/${n}/x`, ['service'], [])));
      const wildcard = {
        name: 'POST /_rpc/{module}/{method}',
        method: 'POST',
        path: '/_rpc/{module}/{method}',
        ids: names,
        validAuth: anyAuth.flatMap((a) => a.validAuth),
        badAuth: [],
      };
      return [...perMethod, wildcard];
    },
  },
  {
    name: 'events pushed by another process',
    async targets(fx) {
      const subscribers = fx.t.carve.hosted.filter(({ module }) => (module.subscribes ?? []).length > 0).map(({ module }) => module.name);
      const names = [...fx.t.carve.hosted.map(({ module }) => module.name), ...PROTO_KEYS];
      const anyAuth = await Promise.all(names.map((n) => authFor(fx, `/_events/${n}`, ['service'], [])));
      return [
        ...(await Promise.all(
          subscribers.map(async (module) => {
            const path = `/_events/${module}`;
            const auth = await authFor(fx, path, ['service'], ['customer', 'admin', 'forged', 'expired', 'serviceForOther']);
            return { name: `POST ${path}`, method: 'POST', path, example: fx.examples[path], ids: fx.ids, ...auth };
          }),
        )),
        { name: 'POST /_events/{module}', method: 'POST', path: '/_events/{module}', ids: names, validAuth: anyAuth.flatMap((a) => a.validAuth), badAuth: [] },
      ];
    },
  },
];

describe('fuzzing the whole HTTP surface', () => {
  let t: InProcessCarve;
  let fx: FuzzFixture;
  let sent = 0;
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => void crashes.push(err);
  const tables = new Map<string, string[]>();
  // A `__proto__` key merged carelessly anywhere would show up here.
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype);

  beforeAll(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    const signingKey = await generateSigningKey();
    t = await startCarve('sqlite', {
      SERVICE_SECRET: SECRET,
      JWT_PRIVATE_KEY: signingKey.pem.replaceAll('\n', '\\n'),
      // Events wait in the outboxes: the relay's writes come after a request's answer, and
      // would land while a later request is checked and be taken for that request's.
      EVENTS_RELAY: 'paused',
    });
    const admin = await adminToken(t);
    const customer = await signUp(t, 'Fuzzed');
    const other = await signUp(t, 'Other');
    const product = await createProduct(t, admin, { stock: 1_000_000 });
    const placed = await t.request('POST', '/api/orders', {
      token: customer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
    });
    const orderId = ((await placed.json()) as { id: string }).id;
    const reservationId = randomUUID();
    await t.port(catalogContract).reserve({ reservationId, items: [{ productId: product.id, quantity: 1 }] });
    const tokenFor = await makeCredentials({ signingKey: signingKey.key, secret: SECRET, customer, otherCustomerToken: other.token, adminToken: admin });
    fx = {
      t,
      tokenFor,
      ids: [product.id, orderId, customer.id, reservationId],
      examples: {
        'POST /api/identity/users': { email: 'fuzz@carve.test', password: 'long-enough-pw', name: 'Fuzz' },
        'POST /api/identity/sessions': { email: customer.email, password: 'correct-horse-battery' },
        'POST /api/catalog/products': { sku: 'FUZZ-1', name: 'Fuzz mug', priceCents: 100, stock: 5 },
        'PATCH /api/catalog/products/{id}': { name: 'Fuzzed mug', priceCents: 200, stock: 1_000_000 },
        'POST /api/orders': { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
        'identity.getUser': { id: customer.id },
        'catalog.getProduct': { id: product.id },
        'catalog.reserve': { reservationId: randomUUID(), items: [{ productId: product.id, quantity: 1 }] },
        'catalog.commit': { reservationId },
        'catalog.release': { reservationId },
        'orders.getOrder': { id: orderId },
        'payments.charge': { orderId: randomUUID(), userId: customer.id, amountCents: 100, currency: 'USD', paymentToken: 'tok_visa' },
        'payments.getPayment': { orderId },
        'notifications.notify': { userId: customer.id, kind: 'welcome', subject: 'Hi', body: 'Hello', dedupeKey: 'fuzz' },
        '/_events/notifications': {
          events: [
            {
              id: randomUUID(),
              type: 'orders.OrderPaid',
              version: 1,
              aggregateId: orderId,
              occurredAt: Date.now(),
              payload: { orderId, userId: customer.id, totalCents: 100, currency: 'USD' },
            },
          ],
        },
      },
    };
    for (const { module, db } of t.carve.hosted) {
      const rows = await db.read(async (q) => sqlite(q).all<{ name: string }>(sql`select name from sqlite_master where type = 'table'`));
      tables.set(module.name, rows.map((r) => r.name));
    }
  });
  afterAll(async () => {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    await t?.stop();
  });

  // The fuzz runs on SQLite in-process: the cheapest place to look at every table between
  // requests. Row counts show what was added or removed, and SQLite's total_changes() on the
  // module's one connection also counts rows updated in place.
  const sqlite = (q: unknown) => q as BetterSQLite3Database;
  async function rowCounts() {
    const counts: Record<string, number> = {};
    for (const { module, db } of t.carve.hosted) {
      const names = tables.get(module.name)!;
      const columns = ['total_changes() as changed', ...names.map((n, i) => `(select count(*) from "${n}") as c${i}`)];
      const row = (await db.read(async (q) => sqlite(q).get<Record<string, number>>(sql.raw(`select ${columns.join(', ')}`))))!;
      counts[`${module.name} rows changed`] = row.changed!;
      names.forEach((n, i) => {
        counts[`${module.name}.${n}`] = row[`c${i}`]!;
      });
    }
    return counts;
  }

  async function inboxSettled() {
    const db = t.moduleDb('notifications');
    const pending = () => db.read(async (q) => sqlite(q).get<{ n: number }>(sql`select count(*) as n from carve_inbox where status = 'pending'`));
    for (let i = 0; i < 200 && (await pending())!.n > 0; i++) await new Promise((r) => setTimeout(r, 10));
  }

  /** A deadline the caller set and that has passed is answered 504 by design; nothing else may be 5xx. */
  const deadlinePassed = (req: FuzzRequest) => {
    const raw = req.headers['x-carve-deadline']?.trim();
    return req.path.startsWith('/_rpc/') && raw !== undefined && /^\d+$/.test(raw) && Number(raw) <= Date.now();
  };
  /** A refused order is kept as rejected or payment_failed, by design; any other refusal writes nothing. */
  const RECORDED_REFUSALS = new Set(['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'PRODUCT_NOT_FOUND']);

  // Counts as of the last request checked; unknown again once a check fails midway.
  let known: Record<string, number> | undefined;

  async function check(req: FuzzRequest) {
    const before = known ?? (await rowCounts());
    known = undefined;
    const res = await t.carve.app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
    sent++;
    const text = await res.text();
    if (res.headers.get('x-request-id') === null) {
      // Only a Carve caller on an internal path that sent a well-formed id of its own is not sent it back.
      // As the server reads it: a header value loses its leading and trailing HTTP whitespace.
      const ownId = req.headers['x-request-id']?.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
      const internal = /^\/_(rpc|events)\//.test(new URL(req.path, 'http://carve.test').pathname);
      expect(internal && ownId !== undefined && /^[\w\-=]{1,128}$/.test(ownId), 'every answer names a request id its caller does not know').toBe(true);
    }
    if (res.status >= 500) {
      expect(deadlinePassed(req), `${res.status} ${text}`).toBe(true);
      expect(res.status).toBe(504);
    }
    // Events taken are handled after the answer: let the inbox finish, so its writes are not blamed on the next request.
    if (req.path.startsWith('/_events/') && res.status < 300) await inboxSettled();
    const after = await rowCounts();
    if (res.status >= 400) {
      expect(res.headers.get('content-type'), text).toContain(PROBLEM_CONTENT_TYPE);
      // HEAD answers carry headers only.
      const problem = req.method.toUpperCase() === 'HEAD' ? { status: res.status } : (JSON.parse(text) as { status: number; code?: string });
      expect(problem.status).toBe(res.status);
      expect(text, 'a problem shows no stack frame').not.toMatch(/at \S+ \(\S+:\d+:\d+\)/);
      if (!(req.method === 'POST' && req.path.startsWith('/api/orders') && RECORDED_REFUSALS.has(problem.code ?? ''))) {
        expect(after, `${res.status} ${text} wrote rows`).toEqual(before);
      }
    }
    known = after;
  }

  it.each(FAMILIES)('answers with success or a problem, never a 5xx, and writes nothing on refusal: $name', async (family) => {
    for (const target of await family.targets(fx)) {
      const numRuns = SLOW.get(target.name) ?? RUNS;
      const result = await fc.check(fc.asyncProperty(fuzzRequest(target), check), { numRuns });
      if (result.failed) {
        throw new Error(`Fuzzing ${target.name}:\n${fc.defaultReportMessage(result)}\n${String(result.errorInstance)}`);
      }
    }
  }, 120_000);

  it(`sent at least ${MIN_REQUESTS} generated requests, and the process is alive and unharmed`, async () => {
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(crashes).toEqual([]);
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeBefore);
  });
});
