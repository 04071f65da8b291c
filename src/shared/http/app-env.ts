import type { Logger } from '../log/logger.js';

export type Role = 'customer' | 'admin';

/** AuthUser is who a verified bearer token says the caller is. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}

/** AppEnv types the per-request variables every route can read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    user: AuthUser;
  };
}
