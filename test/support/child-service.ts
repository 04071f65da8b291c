import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();
// A test that crashes must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

type OutputListener = (child: string, text: string) => void;
const listeners = new Set<OutputListener>();

/**
 * tapChildOutput hands `listener` everything each child started from now on prints, in
 * full (output() keeps only the tail), until the returned function is called.
 *
 * @example const untap = tapChildOutput((child, text) => logs.push(text)); ... untap()
 */
export function tapChildOutput(listener: OutputListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface ChildService {
  readonly url: string;
  readonly port: number;
  /** Everything the process printed, for the failure message. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * startChild runs a Carve entry point (`src/main.ts`, or `src/extracted/service.ts <module>`)
 * as `npm start` or `npm run service` would, and resolves once it listens.
 *
 * @example const payments = await startChild(['src/extracted/service.ts', 'payments'], env)
 */
export async function startChild(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const name = `${args.join(' ')} (pid ${child.pid})`;
  const keep = (d: Buffer) => {
    out = (out + d).slice(-20_000);
    for (const listener of listeners) listener(name, d.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not listen in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = () => {
      const found = /"url":"(http:\/\/[^"]+)"[^\n]*listening/.exec(out);
      if (found) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
