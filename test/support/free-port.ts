import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports handed out here come from below the kernel's ephemeral range, in a slice of their
 * own for each Vitest worker. A port the OS picks (listen on 0) comes from the ephemeral
 * range, where the other worker's outgoing connections and its own picks can take it
 * between the moment we close it and the moment the child binds it: that raced once
 * (EADDRINUSE) with two test files at once. Below the range nobody is handed it but us.
 */
const SLICES = 8;
const LOWEST = 10_000;
const ephemeralStart = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
})();
const sliceSize = Math.floor((ephemeralStart - LOWEST) / SLICES);
const slice = Number(process.env.VITEST_POOL_ID ?? 0) % SLICES;
const sliceStart = LOWEST + slice * sliceSize;
// A random start, so a file does not walk the ports the previous file in this worker used.
let cursor = Math.floor(Math.random() * sliceSize);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** freePort gives a port nobody listens on, for a process whose address others need before it starts. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < sliceSize; tried++) {
    const port = sliceStart + (cursor++ % sliceSize);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}-${sliceStart + sliceSize - 1}`);
}
