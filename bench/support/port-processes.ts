import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LatencySamples } from '../latency-runs.js';
import type { CallerPlan } from '../port-calls.js';
import { START_ENV, bundledNodeArgs } from './processes.js';

/** firstLine is the first line a child prints; a child that ends first fails the run. */
async function firstLine(child: ChildProcess, what: string): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) return line;
  throw new Error(`${what} ended (${child.exitCode ?? child.signalCode}) before it printed anything`);
}

/**
 * callerRun is one run of HTTP calls between two fresh processes, both bundled as
 * Carve's processes are: the callee (bench/port-servers.child.ts) and the caller
 * (bench/port-calls.child.ts), which makes the calls the plan names and reports their
 * samples. Two processes of the same code differ by more than a tenth in a ratio to the
 * floor (where the JIT and the scheduler happen to put them), so each run gets its own,
 * and the spread over runs shows that luck instead of one draw of it becoming the figure.
 *
 * @example const samples = await callerRun({ kind: 'calls', calls: 1_500, warmupCalls: WARMUP_ROUNDS })
 */
export async function callerRun(plan: Omit<CallerPlan, 'rpcUrl' | 'bareUrl'>): Promise<LatencySamples> {
  const env = { ...process.env, ...START_ENV };
  const server = spawn(process.execPath, bundledNodeArgs('bench/port-servers.child.ts'), { env, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const urls = JSON.parse(await firstLine(server, 'the port server process')) as { rpcUrl: string; bareUrl: string };
    const full: CallerPlan = { ...plan, ...urls };
    const caller = spawn(process.execPath, bundledNodeArgs('bench/port-calls.child.ts', JSON.stringify(full)), { env, stdio: ['ignore', 'pipe', 'inherit'] });
    return new Map(JSON.parse(await firstLine(caller, 'the port caller process')) as [string, { p50: number[]; p99: number[] }][]);
  } finally {
    server.kill('SIGTERM');
  }
}
