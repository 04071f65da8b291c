import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { InProcessCarve } from './carve-harness.js';

/** listen serves a test Carve on 127.0.0.1 at a port the OS picks, for clients outside the process. */
export async function listen(t: InProcessCarve): Promise<{ url: string; close(): Promise<void> }> {
  const server = serve({ fetch: t.carve.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
