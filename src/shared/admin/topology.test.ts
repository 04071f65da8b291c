import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineContract, method } from '../contract/define-contract.js';
import { event } from '../contract/define-event.js';
import { defineModule } from '../di/define-module.js';
import type { ModuleReadiness } from '../http/create-http-app.js';
import { buildTopology, edgeKey } from './topology.js';

const shop = defineContract({
  name: 'shop',
  version: 1,
  errors: {},
  methods: { buy: method({ input: z.object({}), output: z.object({}) }) },
  events: { Bought: event({ version: 1, payload: z.object({ id: z.string() }), aggregate: 'id' }) },
});
const bank = defineContract({ name: 'bank', version: 1, errors: {}, methods: { pay: method({ input: z.object({}), output: z.object({}) }) } });
const mail = defineContract({ name: 'mail', version: 1, errors: {}, methods: {} });
const register = () => undefined;
const MODULES = [
  defineModule({ contract: shop, uses: [bank], register }),
  defineModule({ contract: bank, uses: [], register }),
  defineModule({ contract: mail, uses: [], subscribes: [shop.events.Bought], register }),
];

const here = (name: string): ModuleReadiness => ({ name, mode: 'in-process', ok: true });
const away = (name: string, url: string): ModuleReadiness => ({
  name,
  mode: 'remote',
  ok: false,
  breaker: 'open',
  instances: [{ url, healthy: false }],
});

function topology(readiness: ModuleReadiness[], rates: Record<string, number> = {}) {
  return buildTopology({
    modules: MODULES,
    readiness,
    rate: (key) => ({ callsPerSecond: rates[key] ?? 0, errorsPerSecond: 0, p50Ms: rates[key] ? 1.5 : null, p99Ms: rates[key] ? 9 : null }),
    backlog: new Map([['shop', 3]]),
    dead: new Map([['mail', 1]]),
    service: 'carve',
    windowSeconds: 30,
  });
}

describe('buildTopology', () => {
  it('draws a port edge per used contract and an event edge per subscription, idle ones at zero', () => {
    const t = topology([here('shop'), here('bank'), here('mail')], { [edgeKey('port', 'shop', 'bank')]: 2.5 });
    expect(t.edges).toEqual([
      { from: 'shop', to: 'mail', kind: 'event', events: ['shop.Bought'], callsPerSecond: 0, p50Ms: null, p99Ms: null, errorsPerSecond: 0 },
      { from: 'shop', to: 'bank', kind: 'port', callsPerSecond: 2.5, p50Ms: 1.5, p99Ms: 9, errorsPerSecond: 0 },
    ]);
    expect(t.modules.find((m) => m.name === 'shop')).toEqual({ name: 'shop', mode: 'in-process', healthy: true, outboxBacklog: 3, deadEvents: 0 });
  });

  it('shows a remote module with its URLs and breaker, and a loopback one as running here', () => {
    const t = topology([{ ...here('shop'), mode: 'loopback' }, away('bank', 'http://10.0.0.2:3000'), here('mail')]);
    expect(t.modules.find((m) => m.name === 'bank')).toEqual({ name: 'bank', mode: 'remote', urls: ['http://10.0.0.2:3000'], healthy: false, breaker: 'open' });
    expect(t.modules.find((m) => m.name === 'shop')?.mode).toBe('in-process');
  });

  it('leaves out modules this process does not know of, and their edges', () => {
    // A standalone bank service knows only itself.
    const t = topology([here('bank')]);
    expect(t.modules.map((m) => m.name)).toEqual(['bank']);
    expect(t.edges).toEqual([]);
  });
});
