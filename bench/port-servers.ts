// The servers the port-call scenario calls: the same rpc routes a Carve process serves,
// and beside them a bare Hono echo, the floor any JSON round trip over HTTP pays.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import { type Implementation, defineContract, method } from '../src/shared/contract/define-contract.js';
import { createLocalPort } from '../src/shared/contract/local-port.js';
import { createHttpApp } from '../src/shared/http/create-http-app.js';
import { createLogger } from '../src/shared/log/logger.js';
import { createMetrics } from '../src/shared/observe/metrics.js';
import { rpcRoutes } from '../src/shared/remote/rpc-server.js';
import { type ServiceTokens, serviceTokens } from '../src/shared/remote/service-token.js';

/** A contract of one echo method, so the port's own cost is measured and no database's. */
export const ledgerContract = defineContract({
  name: 'ledger',
  version: 1,
  errors: {},
  methods: {
    echo: method({
      input: z.object({ entryId: z.string(), amountCents: z.number().int(), memo: z.string(), tags: z.array(z.string()) }),
      output: z.object({ entryId: z.string(), amountCents: z.number().int(), memo: z.string(), tags: z.array(z.string()) }),
      idempotent: true,
    }),
  },
});

export const ledger: Implementation<typeof ledgerContract> = {
  async echo(entry) {
    return entry;
  },
};

/** What every call sends, and what comes back: the same JSON on the port and on the bare echo. */
export const sampleEntry = { entryId: 'e-000042', amountCents: 1250, memo: 'rent for March', tags: ['rent', 'march'] };

export const benchTokens: ServiceTokens = serviceTokens('bench-secret-0123456789abcdef-0123');

export interface PortServers {
  /** Base URL of the Carve HTTP app serving /_rpc/ledger/echo. */
  rpcUrl: string;
  /** Base URL of the bare Hono app serving POST /echo. */
  bareUrl: string;
  close(): Promise<void>;
}

async function listen(fetch: (req: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, close };
}

/**
 * startPortServers serves the ledger's rpc routes as a Carve process does (request ids,
 * logging, HTTP metrics, service tokens, the in-process port behind them) and a bare Hono echo.
 *
 * @example const servers = await startPortServers(); ...; await servers.close()
 */
export async function startPortServers(): Promise<PortServers> {
  const ledgerPort = createLocalPort(ledgerContract, ledger, { strict: false });
  const app = createHttpApp({
    title: 'ledger',
    version: '0',
    bodyLimit: 64 * 1024,
    logger: createLogger('silent'),
    routes: [],
    readiness: async () => ({ ready: true, modules: [] }),
    // A service's metrics, so each call is timed into the HTTP request histogram as there.
    metrics: createMetrics(),
    // One port for every call, as Carve's composition root keeps it.
    rpc: rpcRoutes([{ contract: ledgerContract, port: () => ledgerPort }], benchTokens),
  });
  const bare = new Hono();
  bare.post('/echo', async (c) => c.json(await c.req.json()));
  const rpc = await listen(app.fetch);
  const echo = await listen(bare.fetch);
  return {
    rpcUrl: rpc.url,
    bareUrl: echo.url,
    close: async () => {
      await Promise.all([rpc.close(), echo.close()]);
    },
  };
}
