import type { Transaction } from 'sequelize';
import type { AppContext } from './context.js';
import { AuditLog } from './models/index.js';
import { AUDIT_TEXT_LENGTHS } from './models/auditLog.js';

/** Audited actions. Failures are stored too, because the login rate limit counts them. */
export type AuditAction =
  | 'auth.register'
  | 'auth.register_failed'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.password_change_failed'
  | 'auth.login_attempt'
  | 'auth.password_change_attempt'
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
  | 'provider.delete'
  | 'provider.sync_models'
  | 'model_config.create'
  | 'model_config.update'
  | 'model_config.delete'
  | 'dataset.create'
  | 'dataset.delete'
  | 'gpu_host.create'
  | 'gpu_host.update'
  | 'gpu_host.delete'
  | 'gpu_host.pin_host_key'
  | 'training_task.create'
  | 'training_task.start'
  | 'training_task.stop'
  | 'training_task.resume'
  | 'training_task.delete'
  | 'chat_session.delete';

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

/**
 * Writes one audit entry and returns it. Text longer than its column is cut to fit, because
 * MySQL rejects it ("Data too long") and a failed audit write would fail the request.
 * NOTE: the rate limit looks entries up by `login` and `ip`. A cut value no longer matches the
 * full one, so callers must keep the keys they count by within the column lengths.
 */
export function recordAudit(entry: AuditEntry, transaction?: Transaction): Promise<AuditLog> {
  const targetId = entry.targetId === undefined ? undefined : String(entry.targetId);
  return AuditLog.create(
    {
      action: fitColumn(entry.action, AUDIT_TEXT_LENGTHS.action),
      actorId: entry.actorId ?? null,
      targetType: fitColumn(entry.targetType, AUDIT_TEXT_LENGTHS.targetType),
      targetId: fitColumn(targetId, AUDIT_TEXT_LENGTHS.targetId),
      login: fitColumn(entry.login, AUDIT_TEXT_LENGTHS.login),
      ip: fitColumn(entry.ip, AUDIT_TEXT_LENGTHS.ip),
      details: entry.details ?? null,
    },
    transaction === undefined ? {} : { transaction },
  );
}

/**
 * Writes an audit entry for a change a request made: the actor is the signed-in user and the
 * address is the client's, as Koa reads it (from X-Forwarded-For when TRUST_PROXY is set).
 */
export function auditRequest(
  ctx: AppContext,
  entry: Omit<AuditEntry, 'actorId' | 'ip' | 'login'>,
): Promise<AuditLog> {
  return recordAudit({ ...entry, actorId: ctx.state.currentUser?.id ?? null, ip: ctx.ip });
}

/**
 * Cuts text to at most `maxCharacters` Unicode code points, the unit in which MySQL counts a
 * VARCHAR length, without splitting a surrogate pair. Returns null for a missing value.
 */
function fitColumn(text: string, maxCharacters: number): string;
function fitColumn(text: string | undefined, maxCharacters: number): string | null;
function fitColumn(text: string | undefined, maxCharacters: number): string | null {
  if (text === undefined) {
    return null;
  }
  // A string has at least as many UTF-16 code units as code points.
  if (text.length <= maxCharacters) {
    return text;
  }
  return Array.from(text).slice(0, maxCharacters).join('');
}
