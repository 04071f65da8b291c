import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const NATS_SERVER = '/usr/sbin/nats-server';
const SHARED_START =
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log';

export interface NatsServer {
  /** nats://127.0.0.1:<port>, the same across restarts. */
  url: string;
  /** stop kills the broker (SIGTERM shuts it down cleanly, SIGKILL as a crash would) and waits for it to exit; its store is kept. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** restart starts it again on the same port and store, so streams, consumers and messages survive. */
  restart(): Promise<void>;
  /** dispose stops it and deletes its store: call it in the test's cleanup. */
  dispose(): Promise<void>;
}

/**
 * startNatsServer runs a private JetStream broker for one test, on 127.0.0.1 at a port of
 * its own (freePort), with its own store directory, so tests never share streams.
 *
 * @example const nats = await startNatsServer(); onTestFinished(() => nats.dispose())
 */
export async function startNatsServer(): Promise<NatsServer> {
  if (!existsSync(NATS_SERVER)) {
    throw new Error(`${NATS_SERVER} is missing: install it with \`apt-get install -y nats-server\`, then rerun the tests`);
  }
  const storeDir = await mkdtemp(join(tmpdir(), 'carve-nats-'));
  // A port from our own slice, not the OS's pick: restart() binds it again, and an
  // ephemeral port could meanwhile be taken by another test file's outgoing connection.
  let port = await freePort();
  let child: ChildProcess | undefined;
  // A test runner that dies must not leave brokers behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  async function start(): Promise<void> {
    const proc = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    // Ready once the log says so; the port it reports is the one we gave.
    port = await new Promise<number>((resolve, reject) => {
      const failed = (why: string) => reject(new Error(`nats-server did not start (${why}):\n${log.slice(-2_000)}`));
      proc.once('error', (err) => failed(err.message));
      proc.once('exit', (code, signal) => failed(`exited with ${code ?? signal}`));
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const listening = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
        if (listening && log.includes('Server is ready')) resolve(Number(listening[1]));
      });
    });
    proc.removeAllListeners('exit');
    proc.stderr!.removeAllListeners('data');
    proc.stderr!.resume();
    await waitForPort(port);
  }

  async function stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop('SIGKILL');
      process.removeListener('exit', killOnExit);
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * requireSharedNats fails, with the command that fixes it, when the shared broker on
 * 127.0.0.1:4222 that multi-process tests use is not running.
 *
 * @example await requireSharedNats()
 */
export async function requireSharedNats(): Promise<void> {
  if (!(await accepts(4222))) throw new Error(`NATS is not running on 127.0.0.1:4222: start it with \`${SHARED_START}\``);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server on 127.0.0.1:${port} did not accept connections within 5 s`);
}
