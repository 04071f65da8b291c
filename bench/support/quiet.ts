import { readFileSync, readdirSync } from 'node:fs';
import { cpuMs } from './processes.js';

/** pidsNamed lists the processes whose command is `name`, such as the local Postgres server's ("postgres"). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone since the listing.
    }
  }
  return pids;
}

/**
 * untilQuiet waits until the processes `pidsOf` names (asked again each time, since
 * Postgres starts a process per connection) use less than `share` of one core over a
 * window of `windowMs`, and answers how long that took; undefined if they are still busy
 * after `withinMs`.
 *
 * @example const waited = await untilQuiet(() => [server.pid, ...pidsNamed('postgres')])
 */
export async function untilQuiet(pidsOf: () => number[], { windowMs = 500, share = 0.05, withinMs = 30_000 } = {}): Promise<number | undefined> {
  const started = Date.now();
  const used = (pids: number[]) =>
    pids.reduce((sum, pid) => {
      try {
        return sum + cpuMs(pid);
      } catch {
        return sum;
      }
    }, 0);
  for (;;) {
    const pids = pidsOf();
    const before = used(pids);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (used(pids) - before <= windowMs * share) return Date.now() - started;
    if (Date.now() - started > withinMs) return undefined;
  }
}
