import { recordAudit } from '../audit.js';
import type { AppServices } from '../context.js';
import { tooManyRequests } from '../errors.js';
import type { AuditLog } from '../models/index.js';
import { LOGIN_LIMIT } from './rateLimit.js';
import type { Caller } from './sessions.js';

/** The outcome of a password check; `reason` names a failure for the log and the audit log. */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** A password check that passed; its audit entry is still the provisional failure. */
export interface PassedAttempt {
  entry: AuditLog;
}

/**
 * Runs a password check under the per-account and per-address limit. The attempt is written to
 * the audit log as pending before the check starts and the limit then counts only older entries,
 * so concurrent attempts on one account count each other and at most the allowed number reach
 * bcrypt.
 * A blocked attempt is removed again, so waiting out `Retry-After` is enough. Returns the entry of
 * a passed check for the caller to turn into its success record. A failed check turns the entry
 * into a failure with its reason.
 */
export async function limitedPasswordCheck(
  services: AppServices,
  caller: Caller,
  attempt: {
    account: string;
    actorId: number | null;
    pending: 'auth.login_attempt' | 'auth.password_change_attempt';
    failure: 'auth.login_failed' | 'auth.password_change_failed';
  },
  check: () => Promise<CheckResult>,
): Promise<PassedAttempt | { failed: string }> {
  const entry = await recordAudit({
    action: attempt.pending,
    actorId: attempt.actorId,
    login: attempt.account,
    ip: caller.ip,
    details: { reason: 'pending' },
  });
  const wait = await services.limiter.retryAfterSeconds(LOGIN_LIMIT, {
    account: attempt.account,
    ip: caller.ip,
    beforeId: entry.id,
  });
  if (wait > 0) {
    await entry.destroy();
    caller.log.warn(
      { login: attempt.account, ip: caller.ip, retryAfterSeconds: wait },
      'attempt blocked by the failure limit',
    );
    throw tooManyRequests(wait);
  }

  let result: CheckResult;
  try {
    result = await check();
  } catch (error) {
    await entry.update({ action: attempt.failure, details: { reason: 'error' } });
    throw error;
  }
  if (!result.ok) {
    await entry.update({ action: attempt.failure, details: { reason: result.reason } });
    return { failed: result.reason };
  }
  return { entry };
}
