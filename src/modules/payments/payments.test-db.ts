import type { TestDialect } from '../../../test/support/dialects.js';
import { openModuleStorage } from '../../../test/support/module-storage.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { createLogger } from '../../shared/log/logger.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import type { CardProcessor, ChargeRequest } from './processor/card-processor.js';
import { createSandboxProcessor } from './processor/sandbox-processor.js';
import { createOutbox } from '../../shared/events/outbox.js';

/** openTestDb gives a test file its own migrated payments database, and a way to throw it away. */
export const openTestDb = (dialect: TestDialect) => openModuleStorage('payments', dialect);

/** countingProcessor wraps a processor and keeps every request it was sent, to count charges. */
export function countingProcessor(inner: CardProcessor = createSandboxProcessor()) {
  const calls: ChargeRequest[] = [];
  const processor: CardProcessor = {
    name: `counting ${inner.name}`,
    charge(request) {
      calls.push(request);
      return inner.charge(request);
    },
  };
  return { processor, calls };
}

/** serviceFor builds the payments service over a test database and processor, with a silent logger. */
export function serviceFor(db: ModuleDb, processor: CardProcessor, logger = createLogger('silent')): PaymentsService {
  return new PaymentsService(new PaymentsRepository(db), processor, logger, createOutbox(db, () => []));
}
