import { describe, expect, it } from 'vitest';
import { type CpuProfile, categoryOf, selfTimeByCategory } from '../../bench/support/cpu-categories.js';

const frame = (functionName: string, url = '') => ({ functionName, url });

describe("the seams scenario's profile categories", () => {
  it('names each frame by where its code lives', () => {
    expect(categoryOf(frame('all'))).toBe('SQLite (better-sqlite3)');
    expect(categoryOf(frame('(garbage collector)'))).toBe('garbage collection');
    expect(categoryOf(frame('promiseInitHook', 'node:internal/async_hooks'))).toBe('async context (async_hooks)');
    expect(categoryOf(frame('parserOnIncoming', 'node:_http_server'))).toBe('Node internals (HTTP, streams, events, timers)');
    expect(categoryOf(frame('safeParse', 'file:///app/node_modules/zod/v4/classic/schemas.js'))).toBe('zod');
    expect(categoryOf(frame('startSpan', 'file:///app/node_modules/@opentelemetry/sdk-trace/build/esm/Tracer.js'))).toBe('OpenTelemetry');
    expect(categoryOf(frame('dispatch', 'file:///app/node_modules/@hono/node-server/dist/index.mjs'))).toBe('@hono/node-server');
    expect(categoryOf(frame('place', 'file:///app/dist/chunk-ABC.js'))).toBe('own code (the bundle)');
  });

  it('adds up self time by category, leaving idle time out', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('run') },
        { id: 4, callFrame: frame('parse', 'file:///app/node_modules/zod/index.js') },
      ],
      samples: [2, 3, 4, 3, 2],
      timeDeltas: [500, 100, 40, 60, 700],
    };
    expect(Object.fromEntries(selfTimeByCategory(profile))).toEqual({ 'SQLite (better-sqlite3)': 160, zod: 40 });
  });
});
