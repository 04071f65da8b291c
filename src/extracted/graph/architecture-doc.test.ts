import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../composition-root.js';
import { renderArchitecture } from './architecture-doc.js';
import { runGraph } from './graph-command.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

const graph = async (argv: string[], file: string, modules = ALL_MODULES) => {
  const out = sink();
  const err = sink();
  const code = await runGraph({ argv, stdout: out.stream, stderr: err.stream, file, loadModules: async () => modules });
  return { code, stdout: out.text(), stderr: err.text() };
};

describe('the architecture document', () => {
  it('draws every port and event flow the modules declare, with event names on the event edges', () => {
    const doc = renderArchitecture(ALL_MODULES);
    expect(doc).toContain('  orders --> payments');
    expect(doc).toContain('  orders --> catalog');
    expect(doc).toContain('  orders -.->|"orders.OrderPaid v1"| notifications');
    expect(doc).toContain('| `charge` | by `orderId` | `CHARGE_MISMATCH` |');
    expect(doc).toContain('| `orders.OrderPaid` | 1 | notifications |');
  });

  it('is the same whatever order the modules are listed in', () => {
    expect(renderArchitecture([...ALL_MODULES].reverse())).toBe(renderArchitecture(ALL_MODULES));
  });

  it('changes when a module stops calling a port, so a stale file can be caught', () => {
    const tampered = ALL_MODULES.map((m) => (m.name === 'orders' ? { ...m, uses: m.uses.filter((c) => c.name !== 'payments') } : m));
    const doc = renderArchitecture(tampered);
    expect(doc).not.toBe(renderArchitecture(ALL_MODULES));
    expect(doc).not.toContain('orders --> payments');
  });

  it('--check passes on a current file and exits 1, naming the command, on a stale one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'carve-graph-')), 'architecture.md');
    expect((await graph([], file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(renderArchitecture(ALL_MODULES));
    expect((await graph(['--check'], file)).code).toBe(0);

    writeFileSync(file, `${readFileSync(file, 'utf8')}\nA line someone added by hand.\n`);
    const stale = await graph(['--check'], file);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('npm run carve -- graph');
  });

  it('refuses an argument it does not know', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'carve-graph-')), 'architecture.md');
    expect((await graph(['--chek'], file)).code).toBe(2);
  });
});
