import { setTimeout as sleep } from 'node:timers/promises';
import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type MswLoopback, startMswLoopback } from '../../../test/support/msw-loopback.js';
import { BoundaryViolation } from '../contract/boundary.js';
import { type Port, defineContract, method } from '../contract/define-contract.js';
import { isContractError } from '../contract/port-error.js';
import { PortUnavailable, definitelyNotReached } from '../contract/port-unavailable.js';
import { createLogger } from '../log/logger.js';
import { inRequestScope } from '../log/request-scope.js';
import { RemoteEndpoint } from './remote-endpoint.js';
import { RemoteCallFailed, createRemotePort } from './remote-port.js';
import { serviceTokens } from './service-token.js';
import { DEADLINE_HEADER, REQUEST_ID_HEADER } from './wire.js';

const Entry = z.object({ entryId: z.string(), amountCents: z.number().int(), memo: z.string().default('') });

const ledgerContract = defineContract({
  name: 'ledger',
  version: 1,
  errors: {
    ENTRY_NOT_FOUND: { status: 404, title: 'Entry not found', data: z.object({ entryId: z.string() }) },
    LEDGER_CLOSED: { status: 409, title: 'Ledger closed' },
  },
  methods: {
    getEntry: method({ input: z.object({ entryId: z.string() }), output: Entry, errors: ['ENTRY_NOT_FOUND'], idempotent: true }),
    append: method({ input: z.object({ amountCents: z.number().int() }), output: Entry, errors: ['LEDGER_CLOSED'] }),
    transfer: method({
      input: z.object({ transferId: z.string(), amountCents: z.number().int() }),
      output: Entry,
      idempotencyKey: 'transferId',
    }),
  },
});

type LedgerMethod = keyof typeof ledgerContract.methods;
type Reply = () => Response | Promise<Response>;

const tokens = serviceTokens('ledger-test-secret-0123456789abcdef');
const entry = { entryId: 'e1', amountCents: 1250 };
const ok: Reply = () => HttpResponse.json(entry);
const unavailable: Reply = () => new HttpResponse(null, { status: 503 });
const reset: Reply = () => HttpResponse.error();
const problem = (status: number, body: Record<string, unknown>) =>
  HttpResponse.json({ type: 'urn:carve:problem:x', title: 'T', status, detail: 'D', ...body }, {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

/** callee answers each call of a method with the next reply, repeating the last one. */
function callee(name: LedgerMethod, ...replies: Reply[]) {
  let n = 0;
  return http.post(`*/_rpc/ledger/${name}`, () => replies[Math.min(n++, replies.length - 1)]!());
}

let remote: MswLoopback;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  remote = await startMswLoopback();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  remote.resetHandlers();
});
afterAll(() => remote.close());

const BREAK_AFTER = 3;
const HALF_OPEN_AFTER_MS = 100;

/** connect builds the client under test: a real endpoint and the typed port over it. */
function connect(urls: () => readonly string[] = () => [remote.url], timeoutMs = 1_000, limits = {}) {
  const endpoint = new RemoteEndpoint({
    module: 'ledger',
    urls,
    tokens,
    logger: createLogger('silent'),
    breakAfter: BREAK_AFTER,
    halfOpenAfterMs: HALF_OPEN_AFTER_MS,
    ...limits,
  });
  cleanups.push(() => endpoint.close());
  const ledger = createRemotePort(ledgerContract, endpoint, { caller: 'orders', timeoutMs }) satisfies Port<typeof ledgerContract>;
  return { endpoint, ledger };
}

async function anotherInstance(...handlers: Parameters<MswLoopback['use']>) {
  const other = await startMswLoopback(...handlers);
  cleanups.push(() => other.close());
  return other;
}

const failure = (call: Promise<unknown>) => call.then(
  (value) => ({ unexpectedly: value }),
  (err: unknown) => err,
);

describe('the remote port', () => {
  it('returns the reply parsed and typed, sent with a token naming the caller, the deadline and the request id', async () => {
    remote.use(callee('getEntry', ok));
    const { ledger } = connect();
    const deadline = Date.now() + 5_000;

    const got = await inRequestScope('req-42', () => ledger.getEntry({ entryId: 'e1' }, { deadline }));

    expect(got).toEqual({ entryId: 'e1', amountCents: 1250, memo: '' });
    expectTypeOf(got).toEqualTypeOf<z.output<typeof Entry>>();
    const [sent] = remote.calls;
    expect(JSON.parse(sent!.body)).toEqual({ entryId: 'e1' });
    const token = sent!.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    await expect(tokens.verify(token, 'ledger')).resolves.toEqual({ module: 'orders' });
    await expect(tokens.verify(token, 'payments')).rejects.toThrow();
    expect(sent!.headers.get(DEADLINE_HEADER)).toBe(String(deadline));
    expect(sent!.headers.get(REQUEST_ID_HEADER)).toBe('req-42');
  });

  it('refuses input that breaks the contract before sending anything', async () => {
    const { ledger } = connect();
    const err = await failure(ledger.append({ amountCents: 12.5 }));
    expect(err).toBeInstanceOf(BoundaryViolation);
    expect(err).toMatchObject({ where: 'ledger.append input' });
    expect(remote.calls).toHaveLength(0);
  });
});

describe('errors the callee answers', () => {
  it('turns a declared error back into the same typed PortError, data intact', async () => {
    remote.use(callee('getEntry', () => problem(404, { code: 'ENTRY_NOT_FOUND', detail: 'No entry e9', data: { entryId: 'e9' } })));
    const { ledger } = connect();
    const err = await failure(ledger.getEntry({ entryId: 'e9' }));
    expect(isContractError(err, ledgerContract, 'ENTRY_NOT_FOUND')).toBe(true);
    expect(err).toMatchObject({ status: 404, detail: 'No entry e9', data: { entryId: 'e9' } });
  });

  it.each([
    ['a code the method does not declare', () => problem(409, { code: 'LEDGER_CLOSED' })],
    ['a code the contract does not know', () => problem(418, { code: 'TEAPOT' })],
    ['a bare 500', () => problem(500, { code: 'INTERNAL' })],
    ['a 500 that is not even JSON', () => new HttpResponse('upstream exploded', { status: 500 })],
  ])('treats %s as RemoteCallFailed, and does not retry even an idempotent method', async (_, reply) => {
    remote.use(callee('getEntry', reply, ok));
    const { ledger } = connect();
    const err = await failure(ledger.getEntry({ entryId: 'e1' }));
    expect(err).toBeInstanceOf(RemoteCallFailed);
    expect(remote.calls).toHaveLength(1);
  });
});

describe('replies that break the contract', () => {
  it('fails loudly on a reply that is not JSON, without retrying', async () => {
    remote.use(callee('getEntry', () => new HttpResponse('{"entryId": ', { headers: { 'content-type': 'application/json' } }), ok));
    const { ledger } = connect();
    expect(await failure(ledger.getEntry({ entryId: 'e1' }))).toBeInstanceOf(RemoteCallFailed);
    expect(remote.calls).toHaveLength(1);
  });

  it('fails loudly on output the schema rejects, without retrying', async () => {
    remote.use(callee('getEntry', () => HttpResponse.json({ entryId: 'e1', amountCents: '12.50' }), ok));
    const { ledger } = connect();
    const err = await failure(ledger.getEntry({ entryId: 'e1' }));
    expect(err).toBeInstanceOf(BoundaryViolation);
    expect(err).toMatchObject({ where: 'ledger.getEntry output' });
    expect(remote.calls).toHaveLength(1);
  });

  it('fails loudly on a declared error whose data breaks its schema', async () => {
    remote.use(callee('getEntry', () => problem(404, { code: 'ENTRY_NOT_FOUND', data: { id: 'e9' } })));
    const { ledger } = connect();
    expect(await failure(ledger.getEntry({ entryId: 'e9' }))).toBeInstanceOf(BoundaryViolation);
  });
});

describe('retries', () => {
  it('sends an idempotent call again after a 503, and returns the answer', async () => {
    remote.use(callee('getEntry', unavailable, ok));
    const { ledger } = connect();
    expect(await ledger.getEntry({ entryId: 'e1' })).toMatchObject(entry);
    expect(remote.calls).toHaveLength(2);
  });

  it('sends a call with an idempotency key again after a 503, with the same key', async () => {
    remote.use(callee('transfer', unavailable, ok));
    const { ledger } = connect();
    expect(await ledger.transfer({ transferId: 't-7', amountCents: 500 })).toMatchObject(entry);
    expect(remote.calls.map((c) => JSON.parse(c.body).transferId)).toEqual(['t-7', 't-7']);
  });

  it('sends a call that is not retry-safe once: after a 503 it may have run, so it is PortUnavailable, maybe reached', async () => {
    remote.use(callee('append', unavailable, ok));
    const { ledger } = connect();
    const err = await failure(ledger.append({ amountCents: 500 }));
    expect(err).toBeInstanceOf(PortUnavailable);
    expect(err).toMatchObject({ reached: 'maybe' });
    expect(remote.calls).toHaveLength(1);
  });
});

describe('transport failures', () => {
  it('reports a connection reset after sending as PortUnavailable, maybe reached, and does not resend', async () => {
    remote.use(callee('append', reset, ok));
    const { ledger } = connect();
    const err = await failure(ledger.append({ amountCents: 500 }));
    expect(err).toBeInstanceOf(PortUnavailable);
    expect(err).toMatchObject({ reached: 'maybe' });
    expect(remote.calls).toHaveLength(1);
  });

  it('reports a refused connection as PortUnavailable, definitely not reached', async () => {
    const gone = await startMswLoopback();
    await gone.close();
    const { ledger } = connect(() => [gone.url]);
    const err = await failure(ledger.append({ amountCents: 500 }));
    expect(err).toBeInstanceOf(PortUnavailable);
    expect(definitelyNotReached(err)).toBe(true);
  });

  // The callee takes 5 s and the test allows 2 s: only a client that gives up at the deadline passes.
  it('gives up on a slow callee at the deadline, as PortUnavailable, maybe reached', { timeout: 2_000 }, async () => {
    remote.use(
      http.post('*/_rpc/ledger/getEntry', async ({ request }) => {
        await sleep(5_000, undefined, { signal: request.signal });
        return ok();
      }),
    );
    const { ledger } = connect(undefined, 200);
    const err = await failure(ledger.getEntry({ entryId: 'e1' }));
    expect(err).toBeInstanceOf(PortUnavailable);
    expect(err).toMatchObject({ reached: 'maybe' });
  });
});

describe('the circuit breaker', () => {
  async function tripBreaker() {
    remote.use(callee('append', unavailable));
    const port = connect();
    for (let i = 0; i < BREAK_AFTER; i++) await failure(port.ledger.append({ amountCents: 1 }));
    return port;
  }

  it(`opens after ${BREAK_AFTER} failures in a row, then fails calls without sending them`, async () => {
    const { endpoint, ledger } = await tripBreaker();
    const sent = remote.calls.length;

    const err = await failure(ledger.getEntry({ entryId: 'e1' }));

    expect(err).toBeInstanceOf(PortUnavailable);
    expect(definitelyNotReached(err)).toBe(true);
    expect(remote.calls).toHaveLength(sent);
    expect(endpoint.state().breaker).toBe('open');
  });

  it('closes again once the callee is healthy and the half-open wait is over', async () => {
    const { endpoint, ledger } = await tripBreaker();
    remote.use(callee('getEntry', ok));
    await sleep(HALF_OPEN_AFTER_MS * 2);

    expect(await ledger.getEntry({ entryId: 'e1' })).toMatchObject(entry);
    expect(endpoint.state().breaker).toBe('closed');
  });
});

describe('the bulkhead', () => {
  it('refuses a call beyond its slots and queue at once, as definitely not reached, while the others finish', async () => {
    remote.use(
      http.post('*/_rpc/ledger/getEntry', async () => {
        await sleep(200);
        return HttpResponse.json(entry);
      }),
    );
    const { ledger } = connect(undefined, 1_000, { maxConcurrent: 1, maxQueued: 1 });
    const calls = [1, 2, 3].map(() => failure(ledger.getEntry({ entryId: 'e1' })));
    const [first, second, third] = await Promise.all(calls);
    expect(first).toEqual({ unexpectedly: { ...entry, memo: '' } });
    expect(second).toEqual({ unexpectedly: { ...entry, memo: '' } });
    expect(third).toBeInstanceOf(PortUnavailable);
    expect(definitelyNotReached(third)).toBe(true);
    expect(remote.calls).toHaveLength(2);
  });
});

describe('several instances', () => {
  it('spreads calls over every instance', async () => {
    remote.use(callee('getEntry', ok));
    const other = await anotherInstance(callee('getEntry', ok));
    const { ledger } = connect(() => [remote.url, other.url]);
    for (let i = 0; i < 4; i++) await ledger.getEntry({ entryId: 'e1' });
    expect(remote.calls.length).toBeGreaterThan(0);
    expect(other.calls.length).toBeGreaterThan(0);
  });

  it('keeps answering from the healthy instance when the other is down, and takes the dead one out of rotation', async () => {
    remote.use(callee('append', ok));
    const down = await startMswLoopback();
    await down.close();
    const { endpoint, ledger } = connect(() => [remote.url, down.url]);

    for (let i = 0; i < 4; i++) expect(await ledger.append({ amountCents: 1 })).toMatchObject(entry);

    expect(remote.calls).toHaveLength(4);
    expect(endpoint.state().instances).toEqual([
      { url: remote.url, healthy: true },
      expect.objectContaining({ url: down.url, healthy: false }),
    ]);
  });
});
