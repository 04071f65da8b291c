import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each one free to listen on', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) expect(port).toBeLessThan(ephemeralStart);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    server.close();
  });

  it('skips a port someone is already listening on', async () => {
    const taken = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(taken, '127.0.0.1', resolve));
    try {
      // The picker walks its slice, so it comes back to `taken` after a full lap at the latest.
      const seen = new Set<number>();
      for (let i = 0; i < 3_000; i++) seen.add(await freePort());
      expect(seen.has(taken)).toBe(false);
    } finally {
      server.close();
    }
  });
});
