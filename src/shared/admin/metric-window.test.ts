import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { histogramQuantile } from './histogram-quantile.js';
import { createMetricWindow } from './metric-window.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

function portCalls() {
  return new Histogram({
    name: 'test_port_calls_seconds',
    help: 'port calls',
    labelNames: ['caller', 'module', 'method', 'outcome'],
    buckets: BUCKETS,
    registers: [new Registry()],
  });
}

/** A window over a real histogram, on a clock the test moves by hand. */
function windowOver(histogram: Histogram<string>, windowMs = 30_000) {
  const clock = { now: 1_000_000 };
  const window = createMetricWindow({
    windowMs,
    now: () => clock.now,
    sources: [{ histogram, edgeOf: (l) => `port:${l.caller}->${l.module}` }],
  });
  return { window, clock };
}

describe('histogramQuantile', () => {
  it('interpolates inside the bucket holding the quantile, as Prometheus does', () => {
    const buckets = [
      { le: 0.01, count: 90 },
      { le: 0.1, count: 100 },
      { le: Number.POSITIVE_INFINITY, count: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01 * (50 / 90));
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.01 + 0.09 * (9 / 10));
  });

  it('answers the highest finite bound for a quantile in the +Inf bucket, and null with no observations', () => {
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Number.POSITIVE_INFINITY, count: 10 }])).toBe(1);
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
  });
});

describe('the metric window', () => {
  it('turns calls observed between two samples into calls per second, summed over methods', async () => {
    const h = portCalls();
    const { window, clock } = windowOver(h);
    h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.005);
    await window.sample();
    for (let i = 0; i < 10; i++) h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.005);
    for (let i = 0; i < 10; i++) h.observe({ caller: 'orders', module: 'payments', method: 'getPayment', outcome: 'ok' }, 0.005);
    clock.now += 4_000;
    await window.sample();

    const rate = window.rate('port:orders->payments');
    expect(rate.callsPerSecond).toBe(5);
    expect(rate.errorsPerSecond).toBe(0);
    // Every call in the window took 5 ms, in the (1 ms, 10 ms] bucket: p50 is halfway through it.
    expect(rate.p50Ms).toBeCloseTo(5.5);
    expect(rate.p99Ms).toBeCloseTo(1 + 9 * 0.99);
  });

  it('counts failures apart, and keeps each edge to its own calls', async () => {
    const h = portCalls();
    const { window, clock } = windowOver(h);
    await window.sample();
    h.observe({ caller: 'orders', module: 'catalog', method: 'reserve', outcome: 'ok' }, 0.0005);
    h.observe({ caller: 'orders', module: 'catalog', method: 'reserve', outcome: 'unavailable' }, 0.5);
    h.observe({ caller: 'edge', module: 'identity', method: 'getVerificationKey', outcome: 'ok' }, 0.0005);
    clock.now += 2_000;
    await window.sample();

    expect(window.rate('port:orders->catalog')).toMatchObject({ callsPerSecond: 1, errorsPerSecond: 0.5 });
    expect(window.rate('port:edge->identity').callsPerSecond).toBe(0.5);
    expect(window.rate('port:orders->payments')).toEqual({ callsPerSecond: 0, errorsPerSecond: 0, p50Ms: null, p99Ms: null });
  });

  it('forgets calls older than the window, so an edge that went quiet drops to zero', async () => {
    const h = portCalls();
    const { window, clock } = windowOver(h, 10_000);
    await window.sample();
    for (let i = 0; i < 20; i++) h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.05);
    for (let t = 0; t < 6; t++) {
      clock.now += 2_000;
      await window.sample();
    }
    // 12 s after the burst, the oldest sample kept is from after it.
    expect(window.rate('port:orders->payments')).toMatchObject({ callsPerSecond: 0, p50Ms: null });
  });

  it('shows latency of the window only, not of every call since the start', async () => {
    const h = portCalls();
    const { window, clock } = windowOver(h, 10_000);
    for (let i = 0; i < 100; i++) h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.5);
    await window.sample();
    for (let i = 0; i < 10; i++) h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.0005);
    clock.now += 2_000;
    await window.sample();
    // The 100 slow calls came before the first sample: only the ten sub-millisecond ones count.
    expect(window.rate('port:orders->payments').p99Ms).toBeLessThan(1);
  });

  it('answers zero until it has two samples', async () => {
    const h = portCalls();
    const { window } = windowOver(h);
    h.observe({ caller: 'orders', module: 'payments', method: 'charge', outcome: 'ok' }, 0.005);
    await window.sample();
    expect(window.rate('port:orders->payments').callsPerSecond).toBe(0);
  });
});
