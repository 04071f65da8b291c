import { STATUSES, type Status } from './events-args.js';
import type { EventEntry, EventListing } from './list-events.js';
import type { RetryAllCount, RetryReport } from './retry-events.js';
import { type Cell, GREEN, RED, YELLOW, formatAge, textTable } from './text-table.js';

/** How long a last error may be on a list line; --json has every error in full. */
const ERROR_WIDTH = 120;

const STATUS_COLOUR: Record<string, number> = { dead: RED, pending: YELLOW, delivered: GREEN, handled: GREEN };

/** The promise every resubmission makes, with the reason: the relay and the inbox look for due work every half second. */
export const PICKED_UP = 'a running process delivers them within a second (a stopped one when it starts).';

/**
 * formatListing writes `events list`: one line per delivery and inbox entry, what was
 * shown of how many, and every module's entries by status.
 *
 * @example stdout.write(formatListing(listing, { statuses: ['dead'], colour: stdout.isTTY === true, now: Date.now() }))
 */
export function formatListing(listing: EventListing, { statuses, colour, now }: { statuses: readonly Status[]; colour: boolean; now: number }): string {
  const out: string[] = [];
  const which = statuses.length === STATUSES.length ? '' : `${statuses.join(' or ')} `;
  if (listing.entries.length === 0) {
    out.push(statuses.join() === 'pending,dead' ? 'No pending or dead events: nothing needs attention.' : `No ${which}entries.`);
  } else {
    const header = ['MODULE', 'STAGE', 'EVENT', 'TYPE', 'AGGREGATE', 'STATUS', 'ATTEMPTS', 'AGE', 'LAST ERROR'].map((text) => ({
      text,
      right: text === 'ATTEMPTS' || text === 'AGE',
    }));
    out.push(textTable([header, ...listing.entries.map((e) => entryCells(e, now))], { colour }));
    const shown = listing.entries.length;
    out.push(
      '',
      shown === listing.matching
        ? `${shown} ${which}${shown === 1 ? 'entry' : 'entries'}.`
        : `The ${shown} most recent of ${listing.matching} ${which}entries; --limit shows more.`,
    );
  }
  const counts = listing.counts.map(({ module, counts }) => [
    { text: module },
    ...STATUSES.map((s) => ({ text: String(counts[s]), right: true, colour: counts[s] > 0 && s === 'dead' ? RED : undefined })),
  ]);
  out.push('', 'By module and status:', textTable([[{ text: 'module' }, ...STATUSES.map((s) => ({ text: s, right: true }))], ...counts], { colour, indent: '  ' }));
  return `${out.join('\n')}\n`;
}

function entryCells(e: EventEntry, now: number): Cell[] {
  const waiting = e.status === 'pending' && e.nextAttemptAt > now ? ` (retry in ${formatAge(e.nextAttemptAt - now + 999)})` : '';
  const last = e.failures.at(-1)?.error.replace(/\s+/g, ' ') ?? '';
  return [
    { text: e.module },
    { text: stageOf(e) },
    { text: e.eventId },
    { text: e.type },
    { text: e.aggregateId },
    { text: `${e.status}${waiting}`, colour: STATUS_COLOUR[e.status] },
    { text: String(e.attempts), right: true },
    { text: formatAge(now - e.occurredAt), right: true },
    { text: last.length > ERROR_WIDTH ? `${last.slice(0, ERROR_WIDTH - 1)}…` : last },
  ];
}

const stageOf = (e: Pick<EventEntry, 'stage' | 'destination'>) => (e.stage === 'deliver' ? `deliver to ${e.destination}` : 'handle');

/**
 * formatRetry writes what `events retry` did to each delivery and inbox entry of the
 * events asked for; unknown ids are the caller's to report, on stderr.
 *
 * @example stdout.write(formatRetry(await retryEvents(stores, ids), { colour: false }))
 */
export function formatRetry(report: RetryReport, { colour }: { colour: boolean }): string {
  const rows = report.outcomes.map((o): Cell[] => [
    { text: o.module },
    { text: stageOf(o) },
    { text: o.eventId },
    { text: o.type },
    o.resubmitted
      ? { text: `${o.was} after ${o.attempts} ${o.attempts === 1 ? 'attempt' : 'attempts'}: resubmitted`, colour: YELLOW }
      : { text: `${o.was}: already ${o.stage === 'deliver' ? 'delivered' : 'handled'}; nothing to do`, colour: GREEN },
  ]);
  const out = rows.length > 0 ? [textTable(rows, { colour })] : [];
  for (const u of report.unsubscribed) out.push(`${u.module} published ${u.eventId} (${u.type}), which no module subscribes to: nothing to do.`);
  const resubmitted = report.outcomes.filter((o) => o.resubmitted).length;
  if (resubmitted > 0) out.push(`Resubmitted ${resubmitted}; ${PICKED_UP}`);
  else if (report.outcomes.length + report.unsubscribed.length > 0) out.push('Nothing resubmitted: these events are already delivered and handled everywhere.');
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/**
 * formatRetryAll writes how many dead deliveries and inbox entries `events retry-all`
 * resubmitted in each module.
 *
 * @example stdout.write(formatRetryAll(await retryAllEvents(stores)))
 */
export function formatRetryAll(counts: readonly RetryAllCount[]): string {
  const width = Math.max(...counts.map((c) => c.module.length));
  const lines = counts.map(({ module, deliveries, inbox }) => {
    const what = deliveries + inbox === 0 ? 'nothing dead' : `resubmitted ${plural(deliveries, 'delivery', 'deliveries')}, ${plural(inbox, 'inbox entry', 'inbox entries')}`;
    return `${`${module}:`.padEnd(width + 1)}  ${what}`;
  });
  const total = counts.reduce((n, c) => n + c.deliveries + c.inbox, 0);
  lines.push(total > 0 ? `Resubmitted ${total}; ${PICKED_UP}` : 'No dead events: nothing to resubmit.');
  return `${lines.join('\n')}\n`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
