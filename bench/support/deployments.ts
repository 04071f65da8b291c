import { type LoadResult, runLoad } from './load.js';
import { orderBody, prepareShop, type Shop } from './shop.js';
import { startCarve, startScript, type Topology } from './topology.js';

// The deployments the order scenarios load: each of Carve's, and the bench's hand-wired flows.

export interface Setup {
  name: string;
  /** A deployment of Carve, whose processes the memory target covers; not a baseline. */
  carve?: boolean;
  start(workDir: string): Promise<Topology>;
  prepare(t: Topology): Promise<Shop | undefined>;
}

export const carve = (name: string, opts: Parameters<typeof startCarve>[1]): Setup => ({
  name,
  carve: true,
  start: (dir) => startCarve(dir, opts),
  prepare: (t) => prepareShop(t.url),
});

export const handWired = (name: string, flow: 'lean' | 'durable' | 'stepwise', env: Record<string, string> = {}): Setup => ({
  name,
  start: (dir) => startScript(dir, `hand-wired-${flow}`, 'bench/baseline/hand-wired.ts', { FLOW: flow, ...env }),
  prepare: async (t) => (await fetch(`${t.url}/bench/setup`, { method: 'POST' })).json() as Promise<Shop>,
});

/** Deployment is a setup started and ready for orders (or echoes), with its load. */
export interface Deployment {
  setup: Setup;
  t: Topology;
  shop?: Shop;
  load(connections: number, seconds: number): Promise<LoadResult>;
}

/** deploy starts a setup and readies it; a setup that cannot be readied is stopped. */
export async function deploy(setup: Setup, workDir: string): Promise<Deployment> {
  const t = await setup.start(workDir);
  try {
    const shop = await setup.prepare(t);
    const load = (connections: number, seconds: number) =>
      runLoad({
        url: shop ? `${t.url}/api/orders` : `${t.url}/echo`,
        body: shop ? orderBody(shop.productId) : orderBody('warm'),
        token: shop?.token,
        connections,
        seconds,
        pids: t.processes.map((p) => p.pid),
      });
    return { setup, t, shop, load };
  } catch (err) {
    await t.stop();
    throw err;
  }
}
