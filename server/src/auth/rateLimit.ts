import { Op, type WhereOptions } from 'sequelize';
import type { AuditAction } from '../audit.js';
import { AuditLog } from '../models/index.js';

/** The first block lasts this long; each further failure while blocked doubles it. */
const FIRST_BLOCK_MS = 60_000;

/**
 * An address is blocked after this many times the failures that block one account. Several users
 * can share an address (an office NAT, a reverse proxy), and with equal limits a few typos by one
 * user would block the others, and the reset after a successful login would not help a user who
 * keeps mistyping from the same address.
 */
const ADDRESS_LIMIT_FACTOR = 4;

/** Which failures a limit counts and which success resets the account's count. */
export interface LimitedAction {
  failures: AuditAction[];
  success: AuditAction;
}

export const LOGIN_LIMIT: LimitedAction = {
  failures: ['auth.login_failed', 'auth.login_blocked'],
  success: 'auth.login',
};

export const REGISTER_LIMIT: LimitedAction = {
  failures: ['auth.register_failed'],
  success: 'auth.register',
};

/**
 * Counts failed attempts per account and per address from the audit log, so the limit holds
 * across server instances that share a database. After `maxFailures` failures inside the window
 * (four times as many for an address) the key is blocked for a minute, doubling with each further
 * failure, up to the window length. A success resets the account's count; the address count only
 * ages out.
 */
export class FailureLimiter {
  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Returns the seconds to wait before the next attempt, or 0 when it may go ahead. */
  async retryAfterSeconds(action: LimitedAction, account: string, ip: string): Promise<number> {
    const now = Date.now();
    const [accountWait, addressWait] = await Promise.all([
      this.waitFor(action, { login: account }, now, this.maxFailures),
      this.waitFor(action, { ip }, now, this.maxFailures * ADDRESS_LIMIT_FACTOR),
    ]);
    return Math.ceil(Math.max(accountWait, addressWait) / 1000);
  }

  private async waitFor(
    action: LimitedAction,
    key: { login: string } | { ip: string },
    now: number,
    maxFailures: number,
  ): Promise<number> {
    let since = new Date(now - this.windowMs);
    if ('login' in key) {
      const lastSuccess = await AuditLog.max<Date | null, AuditLog>('createdAt', {
        where: { ...key, action: action.success, createdAt: { [Op.gt]: since } },
      });
      if (lastSuccess !== null) {
        since = new Date(lastSuccess);
      }
    }
    const where: WhereOptions = {
      ...key,
      action: { [Op.in]: action.failures },
      createdAt: { [Op.gt]: since },
    };
    const [count, last] = await Promise.all([
      AuditLog.count({ where }),
      AuditLog.max<Date | null, AuditLog>('createdAt', { where }),
    ]);
    if (count < maxFailures || last === null) {
      return 0;
    }
    const blockMs = Math.min(FIRST_BLOCK_MS * 2 ** (count - maxFailures), this.windowMs);
    return Math.max(0, new Date(last).getTime() + blockMs - now);
  }
}
