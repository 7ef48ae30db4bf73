// Response shapes of the admin API routes in server/src/routes/admin*.ts.
import type { ApiUser } from '../../../shared/src/api/users.js';

/** A report period of whole UTC days, both included, written as YYYY-MM-DD. */
export interface Period {
  from: string;
  to: string;
}

/** Sums over usage records; costs in dollars. */
export interface UsageTotals {
  requests: number;
  failedRequests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  cost: number;
  unpricedRequests: number;
  avgLatencyMs: number | null;
}

export interface ModelUsage extends UsageTotals {
  modelId: string;
  modelConfigId: number | null;
  displayName: string | null;
  providerName: string | null;
}

export interface UserUsage extends UsageTotals {
  userId: number | null;
  nickname: string | null;
  email: string | null;
}

export interface DayUsage extends UsageTotals {
  day: string;
}

/** `GET /api/admin/usage`. */
export interface UsageReport {
  period: Period & { days: number };
  totals: UsageTotals;
  byModel: ModelUsage[];
  byUser: UserUsage[];
  byDay: DayUsage[];
}

export interface GpuHours {
  hostId: number | null;
  hostName: string | null;
  userId: number | null;
  nickname: string | null;
  hours: number;
}

/** `GET /api/admin/usage/gpu-hours`. */
export interface GpuHoursReport {
  gpuHours: GpuHours[];
  total: number;
}

/** A table's row count, per state when the table has one. */
export interface RecordCount {
  total: number;
  byState?: Record<string, number>;
}

/** `GET /api/admin/dashboard`. */
export interface Dashboard {
  period: Period & { days: number };
  users: Record<string, number>;
  usage: UsageTotals;
  records: Record<string, RecordCount>;
}

/** `GET /api/admin/users`. */
export interface UserPage {
  users: ApiUser[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AuditEntry {
  id: number;
  actorId: number | null;
  actorNickname: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  login: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

/** `GET /api/admin/audit-log`. */
export interface AuditPage {
  entries: AuditEntry[];
  total: number;
}
