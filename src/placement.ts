import { type Config, ConfigError, remoteUrls, urlVariable } from './shared/config/config.js';
import type { CarveModule } from './shared/di/define-module.js';
import { subscribersOf } from './shared/di/subscribers-of.js';

/** Placement is where each module runs, as seen from one process. */
export interface Placement {
  /** Modules whose code, routes and data live in this process. */
  hosted: CarveModule[];
  /** Modules reached over HTTP, with the URLs of their instances. */
  remote: Map<string, () => readonly string[]>;
}

export interface PlacementOptions {
  /** Host exactly these modules (a standalone service); otherwise every module not placed elsewhere. */
  host?: readonly string[];
  /** Host every module, yet send every port call over HTTP to this process itself. */
  loopbackUrl?: () => string;
}

/** The module every process needs, hosted or remote: it holds the key that checks user tokens. */
const AUTH_MODULE = 'identity';

/** PlacementError names the variable to set, so a person can act on it: a configuration error like any other. */
export class PlacementError extends ConfigError {
  override readonly name = 'PlacementError';
}

/**
 * placeModules reads placement from the environment: `<MODULE>_URL` puts a module in
 * another process, and without it the module runs here. A module this process calls
 * that is neither here nor given a URL stops start-up, naming the variable.
 *
 * @example const { hosted, remote } = placeModules(config, ALL_MODULES)
 */
export function placeModules(config: Config, all: readonly CarveModule[], opts: PlacementOptions = {}): Placement {
  const byName = new Map(all.map((m) => [m.name, m]));
  for (const name of opts.host ?? []) {
    if (!byName.has(name)) throw new PlacementError(`There is no module ${name}; the modules are ${[...byName.keys()].join(', ')}`);
  }
  const remote = new Map<string, () => readonly string[]>();
  if (opts.loopbackUrl) {
    const self = opts.loopbackUrl;
    for (const m of all) remote.set(m.name, () => [self()]);
    return { hosted: all.filter((m) => !opts.host || opts.host.includes(m.name)), remote };
  }
  const hosted = all.filter((m) => (opts.host ? opts.host.includes(m.name) : remoteUrls(config, m.name) === undefined));
  const hostedNames = new Set(hosted.map((m) => m.name));
  for (const m of all) {
    const urls = remoteUrls(config, m.name);
    if (urls && !hostedNames.has(m.name)) remote.set(m.name, () => urls);
  }
  for (const m of hosted) {
    const needs = [...m.uses.map((c) => c.name), ...(m.name === AUTH_MODULE ? [] : [AUTH_MODULE])];
    for (const dep of needs) {
      if (hostedNames.has(dep) || remote.has(dep)) continue;
      throw new PlacementError(
        `${m.name} calls ${dep}, which does not run in this process: set ${urlVariable(dep)} to where it runs (for example http://127.0.0.1:3000)`,
      );
    }
  }
  // Events go to their subscribers wherever those run: through the broker, or pushed to their URL.
  if (!config.EVENTS_URL) {
    const subscribers = subscribersOf(all);
    for (const m of hosted) {
      for (const ref of Object.values(m.contract.events)) {
        for (const sub of subscribers(ref.type)) {
          if (hostedNames.has(sub) || remote.has(sub)) continue;
          throw new PlacementError(
            `${m.name} publishes ${ref.name}, which ${sub} handles in another process: set ${urlVariable(sub)} to where it runs, or EVENTS_URL to a NATS server`,
          );
        }
      }
    }
  }
  if (hosted.length > 1 && config.DATABASE_URL?.startsWith('sqlite:')) {
    throw new PlacementError(
      `DATABASE_URL=${config.DATABASE_URL} names one module's SQLite file, but this process hosts ${hosted.length} modules: unset it to use DATA_DIR/<module>.db`,
    );
  }
  return { hosted, remote };
}
