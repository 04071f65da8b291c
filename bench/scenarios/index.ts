// The one list of scenarios `npm run bench` runs, in order. Add a scenario with one line.
import type { Scenario } from '../scenario.js';

/** ScenarioEntry names a scenario for `--only` and loads it only when it runs. */
export interface ScenarioEntry {
  name: string;
  load: () => Promise<Scenario>;
  /** Run only when named with `--only`: a diagnosis, not one of the figures. */
  byName?: boolean;
}

/** A scenario module exports its Scenario as default or as `run`. */
type ScenarioModule = { default?: Scenario; run?: Scenario };

const pick = (name: string) => (mod: ScenarioModule) => {
  const scenario = mod.default ?? mod.run;
  if (typeof scenario !== 'function') throw new Error(`bench/scenarios/${name}.ts exports no default or run scenario`);
  return scenario;
};

export const scenarios: ScenarioEntry[] = [
  { name: 'ports', load: () => import('./ports.js').then(pick('ports')) },
  { name: 'extraction', load: () => import('./extraction.js').then(pick('extraction')) },
  { name: 'orders', load: () => import('./orders.js').then(pick('orders')) },
  { name: 'seams', load: () => import('./seams.js').then(pick('seams')) },
  { name: 'events', load: () => import('./events.js').then(pick('events')) },
  { name: 'memory', load: () => import('./memory.js').then(pick('memory')) },
  { name: 'port-layers', load: () => import('./port-layers.js').then(pick('port-layers')), byName: true },
];
