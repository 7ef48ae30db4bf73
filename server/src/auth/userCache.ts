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

function forgetEverywhere(userId?: number): void {
  for (const cache of caches) {
    cache.forget(userId);
  }
}

/** Installs the User model hooks once, because every server in the process shares the model. */
function installHooks(): void {
  if (hooksInstalled) {
    return;
  }
  hooksInstalled = true;
  User.addHook('afterSave', 'userCache', (user: User) => forgetEverywhere(user.id));
  User.addHook('afterDestroy', 'userCache', (user: User) => forgetEverywhere(user.id));
  User.addHook('afterBulkUpdate', 'userCache', () => forgetEverywhere());
  User.addHook('afterBulkDestroy', 'userCache', () => forgetEverywhere());
}
