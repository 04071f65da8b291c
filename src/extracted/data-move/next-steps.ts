import { type Config, remoteUrls, urlVariable } from '../../shared/config/config.js';
import { describeUrl, hasPassword } from './store-url.js';

/** ModuleCalls is a module, the modules whose ports it calls, and the modules that handle its events. */
export interface ModuleCalls {
  name: string;
  uses: readonly string[];
  notifies?: readonly string[];
}

export interface NextStepsInput {
  command: 'extract' | 'absorb';
  module: string;
  from: string;
  to: string;
  /** Every module, in the composition root's order, with whom it calls. */
  modules: readonly ModuleCalls[];
  /** The monolith's configuration, from the environment carve ran in. */
  config: Config;
}

/**
 * nextSteps tells the person who just moved a module's data what the service and the
 * monolith must be started with, as commands to paste. A service needs `<DEP>_URL` for every
 * module it calls or whose handlers take its events (unless EVENTS_URL names a broker), and IDENTITY_URL for the key that verifies tokens on its routes (all but
 * identity serve authenticated routes). Those point where the environment already places
 * each module, or at the monolith. Secrets and passwords are never printed.
 *
 * @example process.stdout.write(nextSteps({ command: 'extract', module: 'orders', from, to, modules, config }))
 */
export function nextSteps(input: NextStepsInput): string {
  return input.command === 'extract' ? afterExtract(input) : afterAbsorb(input);
}

function afterExtract({ module, from, to, modules, config }: NextStepsInput): string {
  const monolith = monolithUrl(config);
  const { uses = [], notifies = [] } = modules.find((m) => m.name === module) ?? {};
  // Its events reach their subscribers through the broker when there is one, else at their URLs.
  const needs = [...new Set([...(module === 'identity' ? [] : ['identity']), ...uses, ...(config.EVENTS_URL ? [] : notifies)])];
  const own = remoteUrls(config, module)?.[0] ?? suggestedUrl(module, modules, config);
  const service = [
    `DATABASE_URL=${quote(describeUrl(to))}`,
    'SERVICE_SECRET="$SERVICE_SECRET"',
    ...needs.map((dep) => `${urlVariable(dep)}=${remoteUrls(config, dep)?.join(',') ?? monolith}`),
    ...(config.EVENTS_URL ? [`EVENTS_URL=${config.EVENTS_URL}`] : []),
    `PORT=${new URL(own).port || '80'}`,
  ];
  const lines = [
    `Next steps: ${module} now lives at ${describeUrl(to)}.`,
    '',
    config.SERVICE_SECRET
      ? '  1. SERVICE_SECRET is set in this shell; both processes below use it.'
      : '  1. Choose a secret the monolith and the service share (32 characters or more):\n       export SERVICE_SECRET="$(openssl rand -hex 32)"',
    `  2. Start the ${module} service on its new database:`,
    `       ${service.join(' ')} npm run service -- ${module}`,
    '  3. Restart the monolith with its usual environment plus:',
    `       ${urlVariable(module)}=${own} SERVICE_SECRET="$SERVICE_SECRET"`,
    ...callersNote(module, modules, `${urlVariable(module)}=${own}`),
    '',
    `The copy at ${describeUrl(from)} is no longer read; keep it as a backup. A later`,
    `\`npm run carve -- absorb ${module}\` can go back into it: rows the service added are copied in, but a row`,
    'the service changed or deleted makes absorb refuse, and the old copy must then be set aside first.',
  ];
  if (hasPassword(to)) lines.push('(The password in DATABASE_URL is hidden: put yours back in.)');
  return `${lines.join('\n')}\n`;
}

function afterAbsorb({ module, from, to, modules, config }: NextStepsInput): string {
  const monolith = monolithUrl(config);
  const stillRemote = modules.map((m) => m.name).filter((m) => m !== module && remoteUrls(config, m));
  const lines = [
    `Next steps: ${module} is back in the monolith's store, ${describeUrl(to)}.`,
    '',
    `  1. Stop the ${module} service. Its store at ${describeUrl(from)} is no longer read; keep it as a backup.`,
    `  2. Restart the monolith without ${urlVariable(module)}, so it hosts ${module} itself:`,
    `       unset ${urlVariable(module)}; npm start`,
    stillRemote.length > 0
      ? `     Keep SERVICE_SECRET: ${stillRemote.join(', ')} still run${stillRemote.length === 1 ? 's' : ''} elsewhere (${stillRemote.map(urlVariable).join(', ')}).`
      : '     No module is remote any more, so SERVICE_SECRET is no longer needed.',
    ...callersNote(module, modules, `${urlVariable(module)}=${monolith}`, ' (the monolith)'),
  ];
  return `${lines.join('\n')}\n`;
}

/** The services that call `module` must be told where it runs now. */
function callersNote(module: string, modules: readonly ModuleCalls[], setting: string, where = ''): string[] {
  const callers = modules
    .filter((m) => m.name !== module && (module === 'identity' || m.uses.includes(module) || m.notifies?.includes(module)))
    .map((m) => m.name);
  if (callers.length === 0) return [];
  return [`     Any of ${callers.join(', ')} running as its own service needs ${setting}${where} too.`];
}

function monolithUrl(config: Config): string {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
}

/** A port of its own per module, next to the monolith's, so several extracted services do not collide. */
function suggestedUrl(module: string, modules: readonly ModuleCalls[], config: Config): string {
  const url = new URL(monolithUrl(config));
  const index = modules.findIndex((m) => m.name === module);
  url.port = String(config.PORT + 1 + Math.max(0, index));
  return url.toString().replace(/\/$/, '');
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
