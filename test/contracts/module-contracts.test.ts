import { afterAll, beforeAll, describe } from 'vitest';
import { catalogContractSuite } from '../../src/modules/catalog/catalog.contract-suite.js';
import { identityContractSuite } from '../../src/modules/identity/identity.contract-suite.js';
import { notificationsContractSuite } from '../../src/modules/notifications/notifications.contract-suite.js';
import { ordersContractSuite } from '../../src/modules/orders/orders.contract-suite.js';
import { paymentsContractSuite } from '../../src/modules/payments/payments.contract-suite.js';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';

// Each module's contract suite, written once beside the module, run under every runner:
// a caller must not be able to tell where the module runs.
describe.each(TOPOLOGIES)('module contracts, $name', (topology) => {
  let t: TestCarve;
  beforeAll(async () => {
    t = await startCarve(topology);
  }, 120_000);
  afterAll(() => t?.stop());

  const current = () => t;
  describe('identity', () => identityContractSuite(current));
  describe('catalog', () => catalogContractSuite(current));
  describe('payments', () => paymentsContractSuite(current));
  describe('notifications', () => notificationsContractSuite(current));
  describe('orders', () => ordersContractSuite(current));
});
