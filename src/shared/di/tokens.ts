import type { OpenAPIHono } from '@hono/zod-openapi';
import type { InjectionToken } from 'tsyringe';
import type { Config } from '../config/config.js';
import type { AnyContract, Implementation, Port } from '../contract/define-contract.js';
import type { ModuleDb } from '../db/module-db.js';
import type { Outbox } from '../events/outbox.js';
import type { Subscription } from '../events/subscriptions.js';
import type { AppEnv } from '../http/app-env.js';
import type { TokenVerifier } from '../http/auth.js';
import type { Logger } from '../log/logger.js';

// Explicit tokens: tsx, esbuild and vitest emit no decorator metadata for tsyringe to read.

/** In the root container. */
export const CONFIG: InjectionToken<Config> = Symbol('carve.config');
export const LOGGER: InjectionToken<Logger> = Symbol('carve.logger');
export const TOKEN_VERIFIER: InjectionToken<TokenVerifier> = Symbol('carve.token-verifier');

/** In each module's own child container. */
export const MODULE_DB: InjectionToken<ModuleDb> = Symbol('carve.module.db');
export const MODULE_LOGGER: InjectionToken<Logger> = Symbol('carve.module.logger');
export const IMPLEMENTATION: InjectionToken<Implementation<AnyContract>> = Symbol('carve.module.implementation');
export const ROUTES: InjectionToken<OpenAPIHono<AppEnv>> = Symbol('carve.module.routes');
export const LIFECYCLE: InjectionToken<Lifecycle> = Symbol('carve.module.lifecycle');
/** The module's outbox: publish events in the same transaction as the change that caused them. */
export const OUTBOX: InjectionToken<Outbox> = Symbol('carve.module.outbox');
/** Registered once per event the module subscribes to (see handleEvent). */
export const EVENT_HANDLERS: InjectionToken<Subscription> = Symbol('carve.module.event-handlers');

/** Lifecycle hooks a module may register: start runs after every module has migrated. */
export interface Lifecycle {
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

const portTokens = new Map<string, symbol>();

/**
 * portToken is where a contract's port lives in the root container. Callers resolve it
 * and never learn whether the adapter behind it is in-process or remote.
 *
 * @example const catalog = container.resolve(portToken(catalogContract))
 */
export function portToken<C extends AnyContract>(contract: C): InjectionToken<Port<C>> {
  let token = portTokens.get(contract.name);
  if (!token) {
    token = Symbol.for(`carve.port.${contract.name}`);
    portTokens.set(contract.name, token);
  }
  return token;
}
