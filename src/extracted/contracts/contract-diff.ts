import { compareSchemas } from './schema-diff.js';
import type { ContractSnapshot, EventSnapshot, MethodSnapshot } from './snapshot-contract.js';

/** ContractChange is one line of `contracts check`: where in which contract, what changed, and whether it breaks callers. */
export interface ContractChange {
  module: string;
  /** `method reserve`, `event OrderPaid`, `error OUT_OF_STOCK` or `contract`. */
  subject: string;
  /** Inside the schema: `input.items[].quantity`; empty for the subject as a whole. */
  path: string;
  change: string;
  breaking: boolean;
}

type Found = Omit<ContractChange, 'module' | 'subject'>;

const retrySafe = (m: MethodSnapshot) => m.idempotent || m.idempotencyKey !== null;

function compareMethods(was: MethodSnapshot, now: MethodSnapshot, version: number): Found[] {
  const out: Found[] = [...compareSchemas(was.input, now.input, 'input', 'input'), ...compareSchemas(was.output, now.output, 'output', 'output')];
  for (const code of now.errors.filter((c) => !was.errors.includes(c))) {
    // A caller knows only the errors of its own contract version; any other is a 500 to it.
    out.push({ path: 'errors', change: `may now raise ${code}, which callers on version ${version} take for a bug`, breaking: true });
  }
  for (const code of was.errors.filter((c) => !now.errors.includes(c))) {
    out.push({ path: 'errors', change: `no longer raises ${code}`, breaking: false });
  }
  if (retrySafe(was) && !retrySafe(now)) {
    out.push({ path: 'idempotent', change: 'no longer retry-safe: callers may still send it twice', breaking: true });
  } else if (was.idempotencyKey !== null && now.idempotencyKey !== null && was.idempotencyKey !== now.idempotencyKey) {
    out.push({ path: 'idempotencyKey', change: `idempotency key changed from ${was.idempotencyKey} to ${now.idempotencyKey}`, breaking: true });
  } else if (!retrySafe(was) && retrySafe(now)) {
    out.push({ path: 'idempotent', change: 'became retry-safe', breaking: false });
  }
  return out;
}

function compareEvents(was: EventSnapshot, now: EventSnapshot): Found[] {
  const out: Found[] = [];
  if (was.version !== now.version) {
    out.push({ path: 'version', change: `event version changed from ${was.version} to ${now.version}: subscribers refuse a version they do not know`, breaking: true });
  }
  if (was.aggregate !== now.aggregate) {
    out.push({ path: 'aggregate', change: `aggregate changed from ${was.aggregate} to ${now.aggregate}: events would be ordered by another field`, breaking: true });
  }
  // The publisher produces the payload and subscribers read it: an output.
  return [...out, ...compareSchemas(was.payload, now.payload, 'output', 'payload')];
}

function compareErrors(was: ContractSnapshot['errors'][string], now: ContractSnapshot['errors'][string]): Found[] {
  const out: Found[] = [];
  if (was.status !== now.status) out.push({ path: 'status', change: `HTTP status changed from ${was.status} to ${now.status}`, breaking: true });
  // Callers parse an error's data with their own schema: it is an output.
  return [...out, ...compareSchemas(was.data ?? {}, now.data ?? {}, 'output', 'data')];
}

/** compareEntries runs `compare` on the entries both sides have and reports the rest as added or removed. */
function compareEntries<T>(
  was: Record<string, T>,
  now: Record<string, T>,
  kind: string,
  compare: (a: T, b: T) => Found[],
  gone: { change: string; breaking: boolean },
): Omit<ContractChange, 'module'>[] {
  const out: Omit<ContractChange, 'module'>[] = [];
  for (const name of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const subject = `${kind} ${name}`;
    if (!Object.hasOwn(now, name)) out.push({ subject, path: '', ...gone });
    else if (!Object.hasOwn(was, name)) out.push({ subject, path: '', change: `${kind} added`, breaking: false });
    else out.push(...compare(was[name]!, now[name]!).map((found) => ({ subject, ...found })));
  }
  return out;
}

/**
 * compareContracts lists every change between a contract's snapshot and the contract
 * in code, each marked breaking or compatible for callers built against the snapshot.
 *
 * @example const breaking = compareContracts(fromFile, snapshotContract(ordersContract)).filter((c) => c.breaking)
 */
export function compareContracts(was: ContractSnapshot, now: ContractSnapshot): ContractChange[] {
  const changes = [
    ...compareEntries(was.methods, now.methods, 'method', (a, b) => compareMethods(a, b, was.version), {
      change: 'method removed: callers of it are refused',
      breaking: true,
    }),
    ...compareEntries(was.events, now.events, 'event', compareEvents, { change: 'event removed: subscribers wait for it in vain', breaking: true }),
    // An error a method still lists cannot be removed (defineContract refuses), so a removed one is unused.
    ...compareEntries(was.errors, now.errors, 'error', compareErrors, { change: 'error removed', breaking: false }),
  ];
  if (now.version < was.version) {
    changes.push({ subject: 'contract', path: 'version', change: `version lowered from ${was.version} to ${now.version}`, breaking: true });
  }
  return changes.map((c) => ({ module: now.module, ...c }));
}
