import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Implementation, defineContract, method } from '../contract/define-contract.js';
import { createLocalPort } from '../contract/local-port.js';
import { PortUnavailable } from '../contract/port-unavailable.js';
import { createHttpApp } from '../http/create-http-app.js';
import { createLogger } from '../log/logger.js';
import { RemoteEndpoint } from './remote-endpoint.js';
import { ContractVersionMismatch, RemoteCallFailed, createRemotePort } from './remote-port.js';
import { rpcRoutes } from './rpc-server.js';
import { serviceTokens } from './service-token.js';
import { CONTRACT_VERSION_HEADER, rpcPath } from './wire.js';

// One ledger contract at two versions, as the two sides of a rolling deploy build it.
const ledgerAt = (version: number) =>
  defineContract({
    name: 'ledger',
    version,
    errors: {},
    methods: {
      getBalance: method({
        input: z.object({ account: z.string() }),
        output: z.object({ account: z.string(), cents: z.number().int() }),
        idempotent: true,
      }),
    },
  });
const SERVED = 2;
const served = ledgerAt(SERVED);

/** Calls that reached the implementation: a refused call must never be among them. */
const reached: string[] = [];
const ledger: Implementation<typeof served> = {
  async getBalance({ account }) {
    reached.push(account);
    return { account, cents: 500 };
  },
};

const tokens = serviceTokens('version-skew-secret-0123456789abcdef');
const logger = createLogger('silent');
let server: ReturnType<typeof serve>;
let url: string;
const endpoints: RemoteEndpoint[] = [];

/** A caller built against `version` of the ledger contract, on its own endpoint, with a breaker that opens after 2 failures. */
function callerOn(version: number) {
  const endpoint = new RemoteEndpoint({ module: 'ledger', urls: () => [url], tokens, logger, breakAfter: 2 });
  endpoints.push(endpoint);
  return { endpoint, port: createRemotePort(ledgerAt(version), endpoint, { caller: 'orders', timeoutMs: 2_000 }) };
}

/** rawCall posts to a ledger RPC route by hand, with a valid token and the given extra headers. */
async function rawCall(account: string, headers: Record<string, string> = {}, name = 'getBalance') {
  return fetch(`${url}${rpcPath('ledger', name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokens.mint('orders', 'ledger')}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ account }),
  });
}

beforeAll(async () => {
  const app = createHttpApp({
    title: 'ledger',
    version: '0',
    bodyLimit: 64 * 1024,
    logger,
    routes: [],
    readiness: async () => ({ ready: true, modules: [] }),
    rpc: rpcRoutes([{ contract: served, port: () => createLocalPort(served, ledger, { strict: true }) }], tokens),
  });
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a caller and a callee on different contract versions, over loopback HTTP', () => {
  it('answers a caller built against the served version', async () => {
    const { port } = callerOn(SERVED);
    expect(await port.getBalance({ account: 'a1' })).toEqual({ account: 'a1', cents: 500 });
    expect(reached).toContain('a1');
  });

  it('refuses a caller built against the previous version, naming both versions, before the work runs', async () => {
    const { port } = callerOn(SERVED - 1);
    const err = await port.getBalance({ account: 'old-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractVersionMismatch);
    expect(err).toBeInstanceOf(RemoteCallFailed);
    expect(err).not.toBeInstanceOf(PortUnavailable);
    expect(err).toMatchObject({ module: 'ledger', callerVersion: SERVED - 1, servedVersion: SERVED });
    expect((err as Error).message).toMatch(/ledger\.getBalance was refused.*ledger contract version 1.*serves version 2/);
    expect(reached).not.toContain('old-1');
  });

  it('does not count refusals as the callee being down: the breaker stays closed', async () => {
    const { port, endpoint } = callerOn(SERVED - 1);
    for (const n of [1, 2, 3]) {
      await expect(port.getBalance({ account: `old-${n}` })).rejects.toBeInstanceOf(ContractVersionMismatch);
    }
    expect(endpoint.state().breaker).toBe('closed');
  });

  it('answers a 409 problem naming the module, both versions and what to do', async () => {
    const res = await rawCall('new-1', { [CONTRACT_VERSION_HEADER]: String(SERVED + 1) });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH', module: 'ledger', callerVersion: 3, servedVersion: 2 });
    expect(body.detail).toMatch(/serves ledger contract version 2; the caller was built against version 3\. Deploy/);
  });

  it('refuses an old caller of a method this version no longer has as a version mismatch, not a 404', async () => {
    const res = await rawCall('old-2', { [CONTRACT_VERSION_HEADER]: String(SERVED - 1) }, 'getStatement');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH', callerVersion: 1, servedVersion: 2 });
  });

  it('takes a call without a version header to be for the served version', async () => {
    const res = await rawCall('plain-1');
    expect(res.status).toBe(200);
    expect(reached).toContain('plain-1');
  });

  it('refuses a version header that is not a whole number with a 400', async () => {
    const res = await rawCall('garbled-1', { [CONTRACT_VERSION_HEADER]: 'two' });
    expect(res.status).toBe(400);
    expect(reached).not.toContain('garbled-1');
  });
});
