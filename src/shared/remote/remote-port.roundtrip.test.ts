import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Implementation, type Port, defineContract, method } from '../contract/define-contract.js';
import { createLocalPort } from '../contract/local-port.js';
import { PortError, contractError, isContractError } from '../contract/port-error.js';
import { createHttpApp } from '../http/create-http-app.js';
import { createLogger } from '../log/logger.js';
import { currentRequestId, inRequestScope } from '../log/request-scope.js';
import { RemoteEndpoint } from './remote-endpoint.js';
import { createRemotePort } from './remote-port.js';
import { rpcRoutes } from './rpc-server.js';
import { serviceTokens } from './service-token.js';

const ledgerContract = defineContract({
  name: 'ledger',
  version: 1,
  errors: {
    ENTRY_NOT_FOUND: { status: 404, title: 'Entry not found', data: z.object({ entryId: z.string() }) },
  },
  methods: {
    getEntry: method({
      input: z.object({ entryId: z.string() }),
      output: z.object({
        entryId: z.string(),
        amountCents: z.number().int(),
        memo: z.string().default(''),
        tags: z.array(z.string()),
        postedBy: z.string().optional(),
      }),
      errors: ['ENTRY_NOT_FOUND'],
      idempotent: true,
    }),
  },
});

type LedgerPort = Port<typeof ledgerContract>;

/** The callee's request id, as the implementation sees it, per entry asked for. */
const idsSeen = new Map<string, string | undefined>();

const ledger: Implementation<typeof ledgerContract> = {
  async getEntry({ entryId }) {
    idsSeen.set(entryId, currentRequestId());
    if (entryId === 'e9') throw contractError(ledgerContract, 'ENTRY_NOT_FOUND', `No entry ${entryId}`, { entryId });
    return { entryId, amountCents: 1250, tags: ['rent', 'march'] };
  },
};

const tokens = serviceTokens('roundtrip-secret-0123456789abcdef');
const logger = createLogger('silent');
const local: LedgerPort = createLocalPort(ledgerContract, ledger, { strict: true });

let server: ReturnType<typeof serve>;
let endpoint: RemoteEndpoint;
let remote: LedgerPort;

beforeAll(async () => {
  const app = createHttpApp({
    title: 'ledger',
    version: '0',
    bodyLimit: 64 * 1024,
    logger,
    routes: [],
    readiness: async () => ({ ready: true, modules: [] }),
    rpc: rpcRoutes([{ contract: ledgerContract, port: () => createLocalPort(ledgerContract, ledger, { strict: true }) }], tokens),
  });
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint = new RemoteEndpoint({ module: 'ledger', urls: () => [url], tokens, logger });
  remote = createRemotePort(ledgerContract, endpoint, { caller: 'orders', timeoutMs: 2_000 });
});

afterAll(async () => {
  await endpoint.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What a caller can see of a declared error. */
const face = (err: unknown) => {
  if (!(err instanceof PortError)) return err;
  const { module, code, status, title, detail, data } = err;
  return { module, code, status, title, detail, data };
};

const errorOf = (call: Promise<unknown>) => call.then(
  (value) => ({ unexpectedly: value }),
  (err: unknown) => err,
);

describe('the ledger port, in-process and over loopback HTTP', () => {
  it('returns over HTTP exactly what the in-process port returns', async () => {
    const here = await local.getEntry({ entryId: 'e1' });
    const there = await remote.getEntry({ entryId: 'e1' });
    expect(there).toEqual(here);
    expect(there).toEqual({ entryId: 'e1', amountCents: 1250, memo: '', tags: ['rent', 'march'] });
  });

  it('raises over HTTP the same declared error the implementation threw, data intact', async () => {
    const here = await errorOf(local.getEntry({ entryId: 'e9' }));
    const there = await errorOf(remote.getEntry({ entryId: 'e9' }));
    expect(isContractError(there, ledgerContract, 'ENTRY_NOT_FOUND')).toBe(true);
    expect(face(there)).toEqual(face(here));
    expect(face(there)).toMatchObject({ status: 404, detail: 'No entry e9', data: { entryId: 'e9' } });
  });

  it('carries the caller’s request id into the callee, so both log one id', async () => {
    await inRequestScope('req-roundtrip-1', () => remote.getEntry({ entryId: 'e2' }));
    expect(idsSeen.get('e2')).toBe('req-roundtrip-1');
  });
});
