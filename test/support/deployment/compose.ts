import type { RepoFacts } from './repo-facts.js';
import { checkTopology } from './rules.js';
import { type Container, type Topology, containerKind, listenPort, placeholder } from './topology.js';
import { arr, isObj, obj, str } from './values.js';

/** interpolate resolves compose's ${VAR}, ${VAR:-default} and ${VAR:?error} as a fresh checkout would. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
        if (whole === '$$') return '$';
        if (op === ':-' || op === '-') return arg ?? '';
        return placeholder(`variable ${braced ?? bare}`);
      },
    );
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
  return value;
}

/** containerPortOf reads the container side of a compose port: "127.0.0.1:3000:3000/tcp" → 3000. */
function containerPortOf(entry: unknown): number {
  if (isObj(entry)) return Number(entry.target);
  return Number.parseInt(String(entry).split(':').pop()!.split('/')[0]!, 10);
}

/**
 * composeTopology reads a parsed docker-compose.yml. Variables are interpolated as a fresh
 * checkout would run them: defaults taken, required ones filled with placeholders.
 *
 * @example const topology = composeTopology(parse(readFileSync('docker-compose.yml', 'utf8')), facts)
 */
export function composeTopology(doc: unknown, facts: RepoFacts): Topology {
  const services = obj(obj(interpolate(doc)).services);
  const problems: string[] = [];
  const byHost = new Map<string, Container>();
  for (const [name, raw] of Object.entries(services)) {
    const service = obj(raw);
    const where = `compose service ${name}`;
    const image = str(service.image);
    const kind = containerKind(image, service.build !== undefined);
    if (kind === undefined) {
      problems.push(`${where} runs ${image ?? 'no image'}, which the checker knows neither as Carve nor as Postgres`);
      continue;
    }
    for (const unsupported of ['env_file', 'entrypoint', 'network_mode']) {
      if (service[unsupported] !== undefined) problems.push(`${where} uses ${unsupported}, which the checker does not model`);
    }
    const listed = Array.isArray(service.environment)
      ? service.environment.map((e) => {
          const [k, ...v] = String(e).split('=');
          return [k!, v.length > 0 ? v.join('=') : undefined] as const;
        })
      : Object.entries(obj(service.environment)).map(([k, v]) => [k, v === null ? undefined : str(v) ?? String(v)] as const);
    const own = Object.fromEntries(listed.map(([k, v]) => [k, v ?? placeholder(`variable ${k}`)]));
    const command = service.command;
    const argv =
      typeof command === 'string'
        ? command.split(/\s+/).filter(Boolean)
        : Array.isArray(command)
          ? command.map(String)
          : (facts.dockerfile.cmd ?? []);
    const declared = [...arr(service.expose), ...arr(service.ports)].map((p) => ({ port: containerPortOf(p) }));
    const dependsOn = Array.isArray(service.depends_on) ? service.depends_on.map(String) : Object.keys(obj(service.depends_on));
    for (const dep of dependsOn) {
      if (services[dep] === undefined) problems.push(`${where} depends on ${dep}, which is not a service`);
    }
    byHost.set(name, {
      where,
      workload: where,
      kind,
      argv: kind === 'carve' ? argv : [],
      names: listed.map(([k]) => k),
      ingredients: new Set(),
      env: kind === 'carve' ? { ...facts.dockerfile.env, ...own } : own,
      declaredPorts: declared,
    });
  }
  // Inside a Compose network a service's name resolves to its container, on any port.
  return {
    name: 'docker-compose.yml',
    containers: [...byHost.values()],
    problems,
    addresses: [...byHost].map(([host, c]) => ({ host, port: listenPort(c) })),
    dial(host, port) {
      const container = byHost.get(host);
      if (!container) return { problem: `there is no compose service named ${host}` };
      if (listenPort(container) !== port) return { problem: `${container.where} listens on ${listenPort(container)}, not ${port}` };
      return { targets: [{ container, port }] };
    },
  };
}

/**
 * checkCompose runs every rule on a parsed docker-compose.yml.
 *
 * @example expect(checkCompose(parse(text), facts)).toEqual([])
 */
export function checkCompose(doc: unknown, facts: RepoFacts): string[] {
  return checkTopology(composeTopology(doc, facts), facts);
}
