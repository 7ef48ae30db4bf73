import type { KeyObject } from 'node:crypto';
import type { RouterContext } from '@koa/router';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { AccessClaims } from './auth/accessTokens.js';
import type { PasswordVerifier } from './auth/passwords.js';
import type { FailureLimiter } from './auth/rateLimit.js';
import type { RefreshTokenStore } from './auth/refreshTokens.js';
import type { UserCache } from './auth/userCache.js';
import type { ConfigCache } from './chat/configCache.js';
import type { Config } from './config.js';
import type { SecretBox } from './crypto/secretBox.js';
import type { User } from './models/index.js';

/** Long-lived objects every request handler may use. */
export interface AppServices {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  /** The HMAC key that signs and verifies access tokens, made from `config.jwtSecret`. */
  accessTokenKey: KeyObject;
  passwords: PasswordVerifier;
  refreshTokens: RefreshTokenStore;
  limiter: FailureLimiter;
  /** Users by id for authenticated requests, cleared on every change to a user. */
  users: UserCache;
  /** Model configs with their providers, for answering chat messages. */
  configs: ConfigCache;
  /** Encrypts provider keys and other secrets stored in the database. */
  secrets: SecretBox;
  version: string;
  startedAt: number;
  /**
   * Aborted when shutdown begins. Long-running streams (chat answers, event streams) end on it, so
   * they store what they have while the database is still open.
   */
  stopping: AbortSignal;
}

/** Per-request state set by the middleware chain. */
export interface AppState {
  requestId: string;
  log: Logger;
  /** Verified access-token claims, set by koa-jwt on authenticated routes. */
  user?: AccessClaims;
  /** The signed-in user, loaded from the database after the token is verified. */
  currentUser?: User;
}

/** Properties added to every Koa context. */
export interface AppContextExtras {
  services: AppServices;
}

export type AppContext = RouterContext<AppState, AppContextExtras>;
