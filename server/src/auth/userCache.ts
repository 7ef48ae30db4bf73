import type { Transaction } from 'sequelize';
import { LoadCache } from '../db/loadCache.js';
import { User } from '../models/index.js';

/**
 * Maximum age of a cached user, in milliseconds. Changes made through this process clear the entry
 * at once. A change made by another server instance on the same database takes up to this long.
 */
export const USER_CACHE_TTL_MS = 2000;

const caches = new Set<UserCache>();
let hooksInstalled = false;

/**
 * Caches the users that access tokens name, so an authenticated request does not query the
 * database for its user each time. Every update or deletion of a user through Sequelize in this
 * process clears the affected entries, so a disabled, deleted or demoted user is rejected on the
 * next request. Concurrent misses for one user share one query.
 */
export class UserCache {
  private readonly loads: LoadCache<number, User | null>;

  constructor(ttlMs = USER_CACHE_TTL_MS) {
    this.loads = new LoadCache(ttlMs, (userId) => User.findByPk(userId));
    installHooks();
    caches.add(this);
  }

  get(userId: number): Promise<User | null> {
    return this.loads.get(userId);
  }

  forget(userId?: number): void {
    this.loads.forget(userId);
  }

  /** Stops receiving invalidations; called when the server closes. */
  dispose(): void {
    this.loads.forget();
    caches.delete(this);
  }
}

/** The part of Sequelize's hook options this cache reads. */
interface HookOptions {
  transaction?: Transaction | null;
}

/**
 * Forgets the user in every cache, and again once the change's transaction commits: a load
 * between the change and its commit reads the old row, which would otherwise be served until the
 * entry expires.
 */
function forgetEverywhere(userId: number | undefined, options: HookOptions | undefined): void {
  const forget = (): void => {
    for (const cache of caches) {
      cache.forget(userId);
    }
  };
  forget();
  options?.transaction?.afterCommit(forget);
}

/** Installs the User model hooks once, because every server in the process shares the model. */
function installHooks(): void {
  if (hooksInstalled) {
    return;
  }
  hooksInstalled = true;
  User.addHook('afterSave', 'userCache', (user: User, options: HookOptions) =>
    forgetEverywhere(user.id, options),
  );
  User.addHook('afterDestroy', 'userCache', (user: User, options: HookOptions) =>
    forgetEverywhere(user.id, options),
  );
  User.addHook('afterBulkUpdate', 'userCache', (options: HookOptions) =>
    forgetEverywhere(undefined, options),
  );
  User.addHook('afterBulkDestroy', 'userCache', (options: HookOptions) =>
    forgetEverywhere(undefined, options),
  );
}
