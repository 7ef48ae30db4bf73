import type { Transaction } from 'sequelize';
import { AuditLog } from './models/index.js';

/** Audited actions. Failures are stored too, because the login rate limit counts them. */
export type AuditAction =
  | 'auth.register'
  | 'auth.register_failed'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.password_change_failed'
  | 'auth.logout'
  | 'auth.refresh_reuse'
  | 'auth.password_change'
  | 'user.role_change'
  | 'user.enable'
  | 'user.disable'
  | 'user.delete'
  | 'user.create_admin'
  | 'provider.create'
  | 'provider.update'
  | 'provider.delete';

/** One audit entry; `login` is the account key used by the rate limit (a lowercase email). */
export interface AuditEntry {
  action: AuditAction;
  actorId?: number | null;
  targetType?: string;
  targetId?: string | number;
  login?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

/** Writes one audit entry and returns it. */
export function recordAudit(entry: AuditEntry, transaction?: Transaction): Promise<AuditLog> {
  return AuditLog.create(
    {
      action: entry.action,
      actorId: entry.actorId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined ? null : String(entry.targetId),
      login: entry.login ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? null,
    },
    transaction === undefined ? {} : { transaction },
  );
}
