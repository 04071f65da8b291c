import { type AddressInfo, createServer } from 'node:net';
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

/** freePort asks the OS for a port nobody listens on, for a process whose address others need before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
