/** What V8's CPU profiler writes (Profiler.stop, or node --cpu-prof), as far as it is read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

// better-sqlite3's own methods, as native frames; the seams scenario times these calls directly too.
const SQLITE_NATIVE = new Set(['run', 'get', 'all', 'iterate', 'exec', 'raw', 'pluck']);

/**
 * categoryOf names what a sampled frame was doing, by where its code lives: a package, a
 * part of Node, or the process's own bundled code. Own code is one category, Carve's or a
 * baseline's alike, since both run as esbuild bundles.
 */
export function categoryOf({ functionName, url }: { functionName: string; url: string }): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 and native, unattributed';
  if (url === '') {
    if (SQLITE_NATIVE.has(functionName)) return 'SQLite (better-sqlite3)';
    if (functionName === 'runMicrotasks') return 'promise jobs';
    return 'native, other (sockets, crypto)';
  }
  if (url.startsWith('node:internal/async_hooks') || url.startsWith('node:async_hooks')) return 'async context (async_hooks)';
  if (url.startsWith('node:')) return 'Node internals (HTTP, streams, events, timers)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!.startsWith('@opentelemetry/') ? 'OpenTelemetry' : pkg[1]!;
  return 'own code (the bundle)';
}

/**
 * selfTimeByCategory adds up the profile's self time by categoryOf, in µs, leaving out
 * idle time.
 *
 * @example const byCategory = selfTimeByCategory(profile); byCategory.get('zod')
 */
export function selfTimeByCategory(profile: CpuProfile): Map<string, number> {
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byCategory = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const category = categoryOf(frameOf.get(profile.samples[i]!)!);
    if (category === 'idle') continue;
    byCategory.set(category, (byCategory.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return byCategory;
}
