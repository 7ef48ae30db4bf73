import { col, fn, Op, type WhereOptions } from 'sequelize';
import type { AuditAction } from '../audit.js';
import { AuditLog } from '../models/index.js';

/** The first block lasts this long; each failure after it doubles the next block. */
const FIRST_BLOCK_MS = 60_000;

/**
 * An address is blocked after this many times the failures that block one account. Several users
 * can share an address (an office NAT, a reverse proxy). With equal limits, a few typos by one
 * user would block the others, because a successful login resets only the account's count.
 */
const ADDRESS_LIMIT_FACTOR = 4;

/**
 * The failures a limit counts and the success that resets the account's count. `pending` are
 * attempts still being checked. They count against their account, so concurrent guesses cannot
 * pass the limit together. They do not count against the address, so a burst of sign-ins by many
 * users behind one address is not blocked.
 */
export interface LimitedAction {
  failures: AuditAction[];
  pending?: AuditAction[];
  success: AuditAction;
}

/** Wrong passwords at sign-in and at password change count against one account. */
export const LOGIN_LIMIT: LimitedAction = {
  failures: ['auth.login_failed', 'auth.password_change_failed'],
  pending: ['auth.login_attempt', 'auth.password_change_attempt'],
  success: 'auth.login',
};

export const REGISTER_LIMIT: LimitedAction = {
  failures: ['auth.register_failed'],
  success: 'auth.register',
};

/**
 * Counts failed attempts per account and per address from the audit log, so the limit applies
 * across server instances that share a database. After `maxFailures` failures inside the window
 * (four times as many for an address) the key is blocked for a minute after its last failure. Each
 * failure past the limit doubles the block, up to the window length; rejected attempts during a
 * block are not failures and do not extend it. A success resets the account's count; the address
 * count only ages out.
 */
export class FailureLimiter {
  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Returns the seconds to wait before the next attempt, or 0 when it may go ahead. With
   * `beforeId`, only audit entries older than that one count: a caller that first records its
   * attempt as a provisional failure passes the entry's id, so concurrent attempts see each other
   * and no more than the allowed number get through.
   */
  async retryAfterSeconds(
    action: LimitedAction,
    key: { account: string; ip: string; beforeId?: number },
  ): Promise<number> {
    const now = Date.now();
    const older = key.beforeId === undefined ? {} : { id: { [Op.lt]: key.beforeId } };
    const [accountWait, addressWait] = await Promise.all([
      this.waitFor(action, { login: key.account, ...older }, now, this.maxFailures),
      this.waitFor(action, { ip: key.ip, ...older }, now, this.maxFailures * ADDRESS_LIMIT_FACTOR),
    ]);
    return Math.ceil(Math.max(accountWait, addressWait) / 1000);
  }

  private async waitFor(
    action: LimitedAction,
    key: { login: string; id?: unknown } | { ip: string; id?: unknown },
    now: number,
    maxFailures: number,
  ): Promise<number> {
    let since = new Date(now - this.windowMs);
    if ('login' in key) {
      const lastSuccess = await AuditLog.max<Date | null, AuditLog>('createdAt', {
        where: { login: key.login, action: action.success, createdAt: { [Op.gt]: since } },
      });
      if (lastSuccess !== null) {
        since = new Date(lastSuccess);
      }
    }
    const where: WhereOptions = {
      ...key,
      action: {
        [Op.in]: 'login' in key ? [...action.failures, ...(action.pending ?? [])] : action.failures,
      },
      createdAt: { [Op.gt]: since },
    };
    // One query for both figures: the failure count and the time of the latest failure.
    const row = (await AuditLog.findOne({
      attributes: [
        [fn('COUNT', col('id')), 'failures'],
        [fn('MAX', col('created_at')), 'latest'],
      ],
      where,
      raw: true,
    })) as unknown as { failures: number | string; latest: Date | string | null } | null;
    const count = Number(row?.failures ?? 0);
    const last = row?.latest ?? null;
    if (count < maxFailures || last === null) {
      return 0;
    }
    const blockMs = Math.min(FIRST_BLOCK_MS * 2 ** (count - maxFailures), this.windowMs);
    return Math.max(0, new Date(last).getTime() + blockMs - now);
  }
}
