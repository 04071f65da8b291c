import { ConfigSchema, ENV_VARIABLES, urlVariable } from '../../../src/shared/config/config.js';
import { describeCommand } from './commands.js';
import type { RepoFacts } from './repo-facts.js';
import { POSTGRES_PORT, type Topology, hostedModules, listenPort, placementOf } from './topology.js';

// The rules written once for every topology, Compose and Kubernetes alike.

/** Variables the Postgres image reads. They belong on Postgres containers only. */
const POSTGRES_IMAGE_VARIABLE = /^(POSTGRES_[A-Z0-9_]+|PGDATA)$/;

/**
 * checkTopology runs every rule that holds for Compose and Kubernetes alike.
 *
 * @example expect(checkTopology(composeTopology(doc, facts), facts)).toEqual([])
 */
export function checkTopology(t: Topology, facts: RepoFacts): string[] {
  return [
    ...t.problems,
    ...checkEnvNames(t),
    ...checkConfigValues(t),
    ...checkCommands(t, facts),
    ...checkPorts(t),
    ...checkModuleUrls(t, facts),
    ...checkPlacement(t, facts),
    ...checkDatabases(t),
  ];
}

/** checkEnvNames: Carve gets only names its config schema reads, Postgres only POSTGRES_* and PGDATA. */
export function checkEnvNames(t: Topology): string[] {
  return t.containers.flatMap((c) =>
    c.names.flatMap((name) => {
      if (c.kind === 'postgres') {
        return POSTGRES_IMAGE_VARIABLE.test(name) ? [] : [`${c.where} sets ${name}, which the Postgres image does not read`];
      }
      if (POSTGRES_IMAGE_VARIABLE.test(name)) return [`${c.where} sets ${name}, which only the Postgres image reads`];
      if (ENV_VARIABLES.includes(name) || c.ingredients.has(name)) return [];
      return [`${c.where} sets ${name}, which Carve does not read (see ENV_VARIABLES in src/shared/config/config.ts)`];
    }),
  );
}

/** checkConfigValues parses each Carve container's environment with the config schema, as start-up would. */
export function checkConfigValues(t: Topology): string[] {
  return t.containers
    .filter((c) => c.kind === 'carve')
    .flatMap((c) => {
      const present = Object.fromEntries(Object.entries(c.env).filter(([, v]) => v !== ''));
      const result = ConfigSchema.safeParse(present);
      const issues = result.success ? [] : result.error.issues.map((i) => `${c.where}: ${String(i.path[0] ?? 'environment')}: ${i.message}`);
      const host = c.env.HOST ?? '127.0.0.1';
      if (/^(127\.|localhost$|::1$)/.test(host)) issues.push(`${c.where} listens on HOST=${host}, which no other container can reach`);
      return issues;
    });
}

/** checkCommands: every Carve container starts the monolith or a real module's service, from files in the image. */
export function checkCommands(t: Topology, facts: RepoFacts): string[] {
  return t.containers.flatMap((c) => {
    if (c.kind !== 'carve') return [];
    const command = describeCommand(c.argv, facts);
    return command.kind === 'invalid' ? [`${c.where} ${command.problem}`] : [];
  });
}

/** checkPorts: declared ports are the port the process listens on, and every address reaches a listener. */
export function checkPorts(t: Topology): string[] {
  const problems = t.containers.flatMap((c) => {
    if (c.kind === 'carve' && c.declaredPorts.length === 0) return [`${c.where} declares no port; it listens on PORT ${listenPort(c)}`];
    return c.declaredPorts
      .filter((p) => p.port !== listenPort(c))
      .map((p) => `${c.where} declares port ${p.port}, but ${c.kind === 'carve' ? 'PORT is' : 'Postgres listens on'} ${listenPort(c)}`);
  });
  for (const { host, port } of t.addresses) {
    const dialled = t.dial(host, port);
    if ('problem' in dialled) problems.push(`${t.name}: ${dialled.problem}`);
  }
  return problems;
}

function urlsOf(raw: string | undefined): URL[] {
  return (raw ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => URL.canParse(u))
    .map((u) => new URL(u));
}

const portOf = (u: URL, fallback: number) => (u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : fallback);

/** checkModuleUrls: every <MODULE>_URL reaches a Carve container that hosts that module and shares the caller's SERVICE_SECRET. */
export function checkModuleUrls(t: Topology, facts: RepoFacts): string[] {
  const problems: string[] = [];
  for (const caller of t.containers.filter((c) => c.kind === 'carve')) {
    for (const { name: module } of facts.modules) {
      const variable = urlVariable(module);
      for (const url of urlsOf(caller.env[variable])) {
        const dialled = t.dial(url.hostname, portOf(url, 80));
        if ('problem' in dialled) {
          problems.push(`${caller.where}: ${variable}=${url.href}: ${dialled.problem}`);
          continue;
        }
        for (const { container: callee } of dialled.targets) {
          if (!hostedModules(callee, facts).includes(module)) {
            problems.push(`${caller.where}: ${variable} points at ${callee.where}, which does not host ${module}`);
          } else if (caller.env.SERVICE_SECRET === undefined) {
            problems.push(`${caller.where} has no SERVICE_SECRET to sign its calls to ${callee.where}`);
          } else if (callee.env.SERVICE_SECRET === undefined) {
            problems.push(`${callee.where} has no SERVICE_SECRET, so it cannot check the calls ${caller.where} makes`);
          } else if (callee.env.SERVICE_SECRET !== caller.env.SERVICE_SECRET) {
            problems.push(`${caller.where} and ${callee.where} hold different SERVICE_SECRETs, so their calls are refused`);
          }
        }
      }
    }
  }
  return problems;
}

/**
 * checkPlacement: every container would pass start-up's placement (each module it calls
 * runs in it or has a URL), a module service has the SERVICE_SECRET it refuses to start
 * without, and each module runs in exactly one workload.
 */
export function checkPlacement(t: Topology, facts: RepoFacts): string[] {
  const problems: string[] = [];
  const carve = t.containers.filter((c) => c.kind === 'carve');
  for (const c of carve) {
    try {
      placementOf(c, facts);
    } catch (err) {
      problems.push(`${c.where} would not start: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (describeCommand(c.argv, facts).kind === 'service' && c.env.SERVICE_SECRET === undefined) {
      problems.push(`${c.where} runs a module service, which will not start without SERVICE_SECRET`);
    }
  }
  for (const { name } of facts.modules) {
    const hosts = [...new Set(carve.filter((c) => hostedModules(c, facts).includes(name)).map((c) => c.workload))];
    if (hosts.length === 0) problems.push(`${t.name}: no workload hosts ${name}`);
    if (hosts.length > 1) problems.push(`${t.name}: ${name} runs in ${hosts.join(' and ')}, each with data of its own`);
  }
  return problems;
}

/** checkDatabases: each DATABASE_URL reaches a Postgres with matching credentials, not shared between workloads. */
export function checkDatabases(t: Topology): string[] {
  const problems: string[] = [];
  const users = new Map<string, Set<string>>();
  for (const c of t.containers.filter((x) => x.kind === 'carve')) {
    const raw = c.env.DATABASE_URL;
    if (raw === undefined || raw.startsWith('sqlite:')) {
      if (c.needsNetworkDatabase) {
        problems.push(`${c.where} keeps its data in SQLite, but ${c.needsNetworkDatabase}: set DATABASE_URL to a Postgres`);
      }
      continue;
    }
    if (!URL.canParse(raw)) continue; // checkConfigValues reports it
    const url = new URL(raw);
    const dialled = t.dial(url.hostname, portOf(url, POSTGRES_PORT));
    if ('problem' in dialled) {
      problems.push(`${c.where}: DATABASE_URL: ${dialled.problem}`);
      continue;
    }
    for (const { container: server } of dialled.targets) {
      if (server.kind !== 'postgres') {
        problems.push(`${c.where}: DATABASE_URL points at ${server.where}, which is not a Postgres`);
        continue;
      }
      const user = decodeURIComponent(url.username);
      const serverUser = server.env.POSTGRES_USER ?? 'postgres';
      const database = decodeURIComponent(url.pathname.slice(1)) || user;
      const serverDatabase = server.env.POSTGRES_DB ?? serverUser;
      if (user !== serverUser) {
        problems.push(`${c.where}: DATABASE_URL connects as "${user}", but ${server.where} creates "${serverUser}"`);
      }
      if (database !== serverDatabase) {
        problems.push(`${c.where}: DATABASE_URL names database "${database}", but ${server.where} creates "${serverDatabase}"`);
      }
      if (decodeURIComponent(url.password) !== (server.env.POSTGRES_PASSWORD ?? '')) {
        problems.push(`${c.where}: DATABASE_URL's password is not ${server.where}'s POSTGRES_PASSWORD`);
      }
      users.set(server.where, (users.get(server.where) ?? new Set()).add(c.workload));
    }
  }
  for (const [server, workloads] of users) {
    if (workloads.size > 1) problems.push(`${[...workloads].join(' and ')} share ${server}: give each workload a database of its own`);
  }
  return problems;
}
