import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type CallOptions, type Implementation, defineContract, method } from '../contract/define-contract.js';
import { createLocalPort } from '../contract/local-port.js';
import { contractError } from '../contract/port-error.js';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-json.js';
import { createHttpApp } from '../http/create-http-app.js';
import { createLogger } from '../log/logger.js';
import { rpcRoutes } from './rpc-server.js';
import { type ServiceTokens, serviceTokens } from './service-token.js';
import { DEADLINE_HEADER } from './wire.js';

const ledgerContract = defineContract({
  name: 'ledger',
  version: 1,
  errors: {
    ENTRY_NOT_FOUND: { status: 404, title: 'Entry not found', data: z.object({ entryId: z.string() }) },
  },
  methods: {
    getEntry: method({
      input: z.object({ entryId: z.string() }),
      output: z.object({ entryId: z.string(), amountCents: z.number().int(), memo: z.string().default('') }),
      errors: ['ENTRY_NOT_FOUND'],
      idempotent: true,
    }),
  },
});

type Ledger = Implementation<typeof ledgerContract>;

const SECRET = 'rpc-test-secret-0123456789abcdef';
const tokens = serviceTokens(SECRET);
const getEntry = vi.fn<Ledger['getEntry']>(async ({ entryId }) => ({ entryId, amountCents: 1250 }));
afterEach(() => getEntry.mockReset());

/** appWith builds the process's real HTTP app hosting the ledger, so the real error handling applies. */
function appWith(processTokens: ServiceTokens | undefined) {
  const rpc = rpcRoutes(
    [{ contract: ledgerContract, port: () => createLocalPort(ledgerContract, { getEntry }, { strict: true }) }],
    processTokens,
  );
  return createHttpApp({
    title: 'rpc test',
    version: '0',
    bodyLimit: 64 * 1024,
    logger: createLogger('silent'),
    routes: [],
    readiness: async () => ({ ready: true, modules: [] }),
    rpc,
  });
}

interface CallSpec {
  path?: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

async function call({ path = '/_rpc/ledger/getEntry', body = { entryId: 'e1' }, token, headers = {} }: CallSpec = {}, app = appWith(tokens)) {
  const bearer = token === undefined ? await tokens.mint('orders', 'ledger') : token;
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('who may call', () => {
  it('answers a caller whose token is for this module, with output parsed by the contract', async () => {
    const res = await call();
    expect(res.status).toBe(200);
    expect(json(res.text)).toEqual({ entryId: 'e1', amountCents: 1250, memo: '' });
  });

  it.each([
    ['no token', async () => null],
    ['a token for another module', () => tokens.mint('orders', 'payments')],
    ['a token signed with another secret', () => serviceTokens('another-secret-0123456789abcdef').mint('orders', 'ledger')],
    ['something that is not a token', async () => 'not-a-jwt'],
  ])('refuses a call with %s, and runs nothing', async (_, token) => {
    const res = await call({ token: await token() });
    expect(res.status).toBe(401);
    expect(json(res.text)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(getEntry).not.toHaveBeenCalled();
  });

  it('is closed to everyone when the process has no SERVICE_SECRET', async () => {
    const res = await call({}, appWith(undefined));
    expect(res.status).toBe(401);
    expect(getEntry).not.toHaveBeenCalled();
  });
});

describe('what it serves', () => {
  it.each([
    '/_rpc/payments/getEntry',
    '/_rpc/ledger/deleteEverything',
    '/_rpc/ledger/toString',
    '/_rpc/ledger/__proto__',
    '/_rpc/ledger/constructor',
    '/_rpc/ledger/hasOwnProperty',
    '/_rpc/__proto__/getEntry',
    '/_rpc/toString/getEntry',
  ])('answers %s with 404 to a caller with a token for that module', async (path) => {
    const module = path.split('/')[2]!;
    const res = await call({ path, token: await tokens.mint('orders', module) });
    expect(res.status).toBe(404);
    expect(json(res.text)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('tells a caller without a valid token nothing of what it hosts: 401, not 404', async () => {
    expect((await call({ path: '/_rpc/payments/getEntry' })).status).toBe(401);
    expect((await call({ path: '/_rpc/ledger/deleteEverything', token: '' })).status).toBe(401);
  });
});

describe('input', () => {
  it('refuses input that breaks the contract as 400 BOUNDARY_VIOLATION, and runs nothing', async () => {
    const res = await call({ body: { entryId: 42 } });
    expect(res.status).toBe(400);
    expect(json(res.text)).toMatchObject({ code: 'BOUNDARY_VIOLATION' });
    expect(getEntry).not.toHaveBeenCalled();
  });

  it('refuses a body that is not JSON as 400', async () => {
    const res = await call({ body: '{"entryId":' });
    expect(res.status).toBe(400);
    expect(getEntry).not.toHaveBeenCalled();
  });

  /** A body whose `extra` field holds `inner` nested in `depth` arrays: fields the contract does not name are dropped by it. */
  const nestedBody = (depth: number, inner: string) => `{"entryId":"e1","extra":${'['.repeat(depth)}${inner}${']'.repeat(depth)}}`;

  it.each([
    ['a number too large to represent', nestedBody(0, '1e999'), 'The body holds a number too large to represent'],
    ['a number too large to represent, nested 40 deep', nestedBody(40, '-1e999'), 'The body holds a number too large to represent'],
    ['nesting deeper than any input', nestedBody(100, '1'), 'The body nests deeper than 64 levels'],
  ])('refuses a body with %s as 400, and runs nothing', async (_, body, detail) => {
    const res = await call({ body });
    expect(res.status).toBe(400);
    expect(json(res.text)).toMatchObject({ code: 'BAD_REQUEST', detail });
    expect(getEntry).not.toHaveBeenCalled();
  });

  it('takes JSON nested 40 deep, within the limit', async () => {
    const res = await call({ body: nestedBody(40, '{"a":[1.5,"x",null,true]}') });
    expect(res.status).toBe(200);
    expect(getEntry).toHaveBeenCalledOnce();
  });
});

describe('the deadline', () => {
  it('answers 504 DEADLINE_EXCEEDED without running anything when the deadline has already passed', async () => {
    const res = await call({ headers: { [DEADLINE_HEADER]: String(Date.now() - 1) } });
    expect(res.status).toBe(504);
    expect(json(res.text)).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(getEntry).not.toHaveBeenCalled();
  });

  it('refuses a deadline that is not epoch milliseconds', async () => {
    const res = await call({ headers: { [DEADLINE_HEADER]: 'tomorrow' } });
    expect(res.status).toBe(400);
  });

  // The implementation waits for the signal alone: if it never aborted, the test would time out.
  it('hands the implementation the deadline and a signal that aborts at it, and answers 504', { timeout: 2_000 }, async () => {
    const seen: CallOptions[] = [];
    getEntry.mockImplementation(async (_, options) => {
      seen.push(options);
      await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason)));
      throw new Error('unreachable');
    });
    const deadline = Date.now() + 100;

    const res = await call({ headers: { [DEADLINE_HEADER]: String(deadline) } });

    expect(res.status).toBe(504);
    expect(seen[0]?.deadline).toBe(deadline);
    expect(seen[0]?.signal?.aborted).toBe(true);
  });

  // The deadline is checked again once the body is in: a 500 here would be taken by the
  // client for a callee bug (RemoteCallFailed) instead of PortUnavailable.
  it('answers 504, not 500, when the deadline passes while the body is still arriving', async () => {
    const deadline = Date.now() + 500;
    const late = new TextEncoder().encode(JSON.stringify({ entryId: 'e1' }));
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, deadline - Date.now() + 20));
        controller.enqueue(late);
        controller.close();
      },
    });
    const res = await appWith(tokens).request('/_rpc/ledger/getEntry', {
      method: 'POST',
      body,
      duplex: 'half',
      headers: {
        'content-type': 'application/json',
        // With a length the body limit lets the body stream on to the handler, as over a socket.
        'content-length': String(late.byteLength),
        authorization: `Bearer ${await tokens.mint('orders', 'ledger')}`,
        [DEADLINE_HEADER]: String(deadline),
      },
    });
    expect(res.status).toBe(504);
  });
});

describe('errors', () => {
  it('answers a declared error with its status, code and data, as problem+json', async () => {
    getEntry.mockRejectedValue(contractError(ledgerContract, 'ENTRY_NOT_FOUND', 'No entry e9', { entryId: 'e9' }));
    const res = await call({ body: { entryId: 'e9' } });
    expect(res.status).toBe(404);
    expect(res.contentType).toBe(PROBLEM_CONTENT_TYPE);
    expect(json(res.text)).toMatchObject({ code: 'ENTRY_NOT_FOUND', detail: 'No entry e9', data: { entryId: 'e9' } });
  });

  it('answers an implementation bug with a bare 500 that shows nothing of it', async () => {
    getEntry.mockRejectedValue(new Error('connect ECONNREFUSED 10.0.0.9:5432 password=hunter2'));
    const res = await call();
    expect(res.status).toBe(500);
    expect(json(res.text)).toMatchObject({ code: 'INTERNAL' });
    expect(res.text).not.toMatch(/ECONNREFUSED|hunter2|stack/);
  });

  it('answers output that breaks the contract as a 500, the callee’s bug, not the caller’s', async () => {
    getEntry.mockResolvedValue({ entryId: 'e1', amountCents: 12.5 });
    const res = await call();
    expect(res.status).toBe(500);
    expect(json(res.text)).toMatchObject({ code: 'INTERNAL' });
  });
});
