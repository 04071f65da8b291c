import autocannon from 'autocannon';
import { cpuMs, mainThreadCpuMs, sampleRss } from './processes.js';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  body: string;
  token?: string;
  connections: number;
  seconds: number;
  /** Processes whose CPU time the load is charged with. */
  pids: number[];
}

/** LoadResult is one autocannon run: throughput, latency and server CPU per successful request. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /** What the failures were: status codes, `errors`, `timeouts`. */
  failures: Record<string, number>;
  cpuMsPerRequest: number;
  /** The part of cpuMsPerRequest the processes' main threads spent, where their JavaScript runs. */
  mainThreadCpuMsPerRequest: number;
  /** Each process's RSS in MB, read every 250 ms during the run: one series per pid. */
  rssMb: number[][];
}

/** RSS_EVERY_MS: often enough to catch a peak, rarely enough that reading /proc costs nothing. */
const RSS_EVERY_MS = 250;

/**
 * runLoad POSTs `body` to `url` from `connections` clients for `seconds`, charges the
 * CPU the server processes used meanwhile to the 2xx answers, and reads their RSS as it
 * runs.
 *
 * @example const r = await runLoad({ url: `${t.url}/api/orders`, body, token, connections: 16, seconds: 5, pids })
 */
export async function runLoad({ url, body, token, connections, seconds, pids }: LoadOptions): Promise<LoadResult> {
  const cpuBefore = pids.map(cpuMs);
  const mainBefore = pids.map(mainThreadCpuMs);
  // Each connection's first answer is left out of the latencies. autocannon opens every
  // connection at once, and a saturated Node server accepts them one by one over seconds:
  // a plain node:http server spending 1.5 ms per request shows p99 ~900 ms at 64 fresh
  // connections that way. Clients keep their connections, so the rest is what they see.
  const opened = new WeakSet<object>();
  const latencies: number[] = [];
  const load = new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: seconds,
        body,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (err, done) => (err ? reject(err) : resolve(done)),
    );
    instance.on('response', (client, _status, _bytes, ms) => {
      if (opened.has(client)) latencies.push(ms);
      else opened.add(client);
    });
  });
  const [result, rssMb] = await Promise.all([load, sampleRss(pids, load, RSS_EVERY_MS)]);
  const cpu = pids.reduce((sum, pid, i) => sum + cpuMs(pid) - cpuBefore[i]!, 0);
  const mainCpu = pids.reduce((sum, pid, i) => sum + mainThreadCpuMs(pid) - mainBefore[i]!, 0);
  const ok = result['2xx'];
  const failures: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) if (!status.startsWith('2')) failures[status] = count ?? 0;
  if (result.errors) failures.errors = result.errors;
  if (result.timeouts) failures.timeouts = result.timeouts;
  return {
    rps: ok / seconds,
    p50: latencies.length > 0 ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length > 0 ? percentile(latencies, 99) : Number.NaN,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    failures,
    cpuMsPerRequest: ok > 0 ? cpu / ok : Number.NaN,
    mainThreadCpuMsPerRequest: ok > 0 ? mainCpu / ok : Number.NaN,
    rssMb,
  };
}
