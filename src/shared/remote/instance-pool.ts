import { Pool } from 'undici';

/** Keep idle sockets for less than Node's server keep-alive (5 s), so a socket is never reused as it closes. */
const KEEP_ALIVE_MS = 4_000;
const CONNECTIONS_PER_INSTANCE = 32;
const FIRST_EJECTION_MS = 1_000;
const LONGEST_EJECTION_MS = 30_000;

/** Instance is one process serving a remote module, with its own keep-alive pool. */
export interface Instance {
  readonly url: string;
  readonly pool: Pool;
  /** Epoch ms until which the instance is out of rotation; 0 when healthy. */
  ejectedUntil: number;
  failures: number;
}

export interface InstanceState {
  url: string;
  healthy: boolean;
  ejectedForMs?: number;
}

/**
 * InstancePool balances calls over a module's instances, round robin over the healthy
 * ones. An instance that fails at the transport level is ejected for a while, longer
 * each time; when every instance is ejected the one due back first is tried anyway, so
 * a module that recovers is found without waiting for a probe.
 *
 * @example const pool = new InstancePool(() => ['http://10.0.0.5:4001', 'http://10.0.0.6:4001'])
 */
export class InstancePool {
  private readonly instances = new Map<string, Instance>();
  private next = 0;

  constructor(private readonly urls: () => readonly string[]) {}

  /** pick chooses the instance for the next call. Connections are opened on first use. */
  pick(): Instance {
    const all = this.urls().map((url) => this.instance(url));
    if (all.length === 0) throw new Error('no instance URL is known yet');
    const now = Date.now();
    const healthy = all.filter((i) => i.ejectedUntil <= now);
    if (healthy.length === 0) return all.reduce((a, b) => (b.ejectedUntil < a.ejectedUntil ? b : a));
    this.next = (this.next + 1) % healthy.length;
    return healthy[this.next]!;
  }

  eject(instance: Instance): void {
    instance.failures += 1;
    const ms = Math.min(FIRST_EJECTION_MS * 2 ** (instance.failures - 1), LONGEST_EJECTION_MS);
    instance.ejectedUntil = Date.now() + ms;
  }

  restore(instance: Instance): void {
    instance.failures = 0;
    instance.ejectedUntil = 0;
  }

  all(): Instance[] {
    return this.urls().map((url) => this.instance(url));
  }

  state(): InstanceState[] {
    const now = Date.now();
    return this.all().map((i) =>
      i.ejectedUntil > now ? { url: i.url, healthy: false, ejectedForMs: i.ejectedUntil - now } : { url: i.url, healthy: true },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => i.pool.close()));
    this.instances.clear();
  }

  private instance(url: string): Instance {
    let found = this.instances.get(url);
    if (!found) {
      const pool = new Pool(url, { connections: CONNECTIONS_PER_INSTANCE, keepAliveTimeout: KEEP_ALIVE_MS, pipelining: 1 });
      found = { url, pool, ejectedUntil: 0, failures: 0 };
      this.instances.set(url, found);
    }
    return found;
  }
}
