import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, event } from '../../src/shared/contract/index.js';
import { newId } from '../../src/shared/db/new-id.js';
import { createInboxProcessor, receiveEvents } from '../../src/shared/events/inbox.js';
import type { Subscription } from '../../src/shared/events/subscriptions.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { DIALECTS } from '../support/dialects.js';
import { type ModuleStorage, openModuleStorage } from '../support/module-storage.js';

// One round of the inbox processor, run by hand: whether it tells its loop to look again.
const tally = defineContract({
  name: 'tally',
  version: 1,
  errors: {},
  methods: {},
  events: { Counted: event({ version: 1, payload: z.object({ counter: z.string(), n: z.number().int() }), aggregate: 'counter' }) },
});
const Counted = tally.events.Counted;

describe.each(DIALECTS)('an inbox round on %s', (dialect) => {
  let storage: ModuleStorage;
  beforeAll(async () => {
    storage = await openModuleStorage('notifications', dialect);
  });
  afterAll(() => storage?.dispose());

  it('says a full batch may have left more, even when the last queue to finish handled nothing', async () => {
    // The 200th event fails: its queue, the last to start, is the last to finish, having handled none.
    const counter: Subscription = {
      ref: Counted,
      handler: async (payload) => {
        if ((payload as { n: number }).n === 200) throw new Error('not now');
      },
    };
    const processor = createInboxProcessor({ db: storage.db, subscriptions: new Map([[Counted.type, counter]]), maxAttempts: 5, logger: createLogger('silent') });
    // One more than a round reads, each event its own aggregate.
    const events = Array.from({ length: 201 }, (_, i) => ({ id: newId(), type: Counted.type, version: 1, aggregateId: `c-${i + 1}`, occurredAt: Date.now(), payload: { counter: `c-${i + 1}`, n: i + 1 } }));
    expect(await receiveEvents(storage.db, events)).toEqual({ received: 201, duplicates: 0 });
    expect(await processor.runOnce()).toBe(true);
    // The next round finds the one left behind, and the failed one waiting for its retry.
    expect(await processor.runOnce()).toBe(false);
  });
});
