import { type EventStore, closeEventStores, openEventStores, rootMessage } from './event-stores.js';
import { type EventsCommand, eventsHelp, parseEventsArgs } from './events-args.js';
import { EventsUsageError } from './events-error.js';
import { formatListing, formatRetry, formatRetryAll } from './format-events.js';
import { listEvents } from './list-events.js';
import { retryAllEvents, retryEvents } from './retry-events.js';

export interface EventsIo {
  /** The words after `carve events`. */
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** The modules whose events the command may read. */
  modules: readonly string[];
}

/** Exit codes, as events --help lists them. */
export const EVENTS_EXIT = { ok: 0, unknownEvent: 1, usage: 2 } as const;

/**
 * runEvents is `npm run carve -- events list|retry|retry-all`: it finds the events that
 * were not delivered or handled in each module's database and puts them back in the
 * queue for the running process. Results go to stdout, errors to stderr; it returns the
 * exit code.
 *
 * @example process.exitCode = await runEvents({ argv: ['list'], env: process.env, stdout, stderr, modules })
 */
export async function runEvents(io: EventsIo): Promise<number> {
  const fail = (text: string) => io.stderr.write(`carve: ${text}\n`);
  let stores: EventStore[] = [];
  try {
    const args = parseEventsArgs(io.argv, io.modules);
    if (args.command === 'help') {
      io.stdout.write(eventsHelp(io.modules));
      return EVENTS_EXIT.ok;
    }
    stores = await openEventStores(args, io.env);
    return await run(args, stores, io, fail);
  } catch (err) {
    if (err instanceof EventsUsageError) {
      fail(err.message);
      return EVENTS_EXIT.usage;
    }
    // Not foreseen: one line still, as an operator's terminal is no place for a stack trace.
    fail(`events failed: ${rootMessage(err)}`);
    return EVENTS_EXIT.usage;
  } finally {
    await closeEventStores(stores);
  }
}

async function run(args: Exclude<EventsCommand, { command: 'help' }>, stores: EventStore[], io: EventsIo, fail: (text: string) => void): Promise<number> {
  const json = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const colour = io.stdout.isTTY === true && !io.env.NO_COLOR;
  switch (args.command) {
    case 'list': {
      const listing = await listEvents(stores, args);
      if (args.json) json({ statuses: args.statuses, ...listing });
      else io.stdout.write(formatListing(listing, { statuses: args.statuses, colour, now: Date.now() }));
      return EVENTS_EXIT.ok;
    }
    case 'retry': {
      const report = await retryEvents(stores, args.ids);
      if (args.json) json({ ...report, resubmitted: report.outcomes.filter((o) => o.resubmitted).length });
      else io.stdout.write(formatRetry(report, { colour }));
      if (report.unknown.length === 0) return EVENTS_EXIT.ok;
      for (const id of report.unknown) {
        fail(`no event ${id} in the outbox or inbox of ${args.modules.join(', ')}: check the id (events list shows them), or --module / --database.`);
      }
      return EVENTS_EXIT.unknownEvent;
    }
    case 'retry-all': {
      const counts = await retryAllEvents(stores);
      if (args.json) json({ modules: counts, resubmitted: counts.reduce((n, c) => n + c.deliveries + c.inbox, 0) });
      else io.stdout.write(formatRetryAll(counts));
      return EVENTS_EXIT.ok;
    }
  }
}
