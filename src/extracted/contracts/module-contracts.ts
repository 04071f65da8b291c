import type { AnyContract } from '../../shared/contract/define-contract.js';
import { catalogContract } from '../../modules/catalog/contract.js';
import { identityContract } from '../../modules/identity/contract.js';
import { notificationsContract } from '../../modules/notifications/contract.js';
import { ordersContract } from '../../modules/orders/contract.js';
import { paymentsContract } from '../../modules/payments/contract.js';

/** The contracts `carve contracts` snapshots and checks: one per module, each in contracts/<module>.json. */
export const MODULE_CONTRACTS: readonly AnyContract[] = [identityContract, catalogContract, ordersContract, paymentsContract, notificationsContract];

/** Where the snapshots are kept, from the repository root: `npm run carve` runs there. */
export const DEFAULT_SNAPSHOT_DIR = 'contracts';
