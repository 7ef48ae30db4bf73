import type { DayUsage, ModelUsage, UsageTotals, UserUsage } from '../usage/report.js';
import { toCsv, type CsvColumn } from './csv.js';

/** The breakdowns a usage CSV export can contain. */
export const USAGE_BREAKDOWNS = ['model', 'user', 'day'] as const;

export type UsageBreakdown = (typeof USAGE_BREAKDOWNS)[number];

/** Costs are rounded to a millionth of a dollar, below what any price per token can show. */
const roundCost = (cost: number) => Math.round(cost * 1_000_000) / 1_000_000;

const totalColumns: CsvColumn<UsageTotals>[] = [
  { header: 'requests', value: (row) => row.requests },
  { header: 'failed_requests', value: (row) => row.failedRequests },
  { header: 'prompt_tokens', value: (row) => row.promptTokens },
  { header: 'completion_tokens', value: (row) => row.completionTokens },
  { header: 'reasoning_tokens', value: (row) => row.reasoningTokens },
  { header: 'total_tokens', value: (row) => row.totalTokens },
  { header: 'cost_usd', value: (row) => roundCost(row.cost) },
  { header: 'unpriced_requests', value: (row) => row.unpricedRequests },
  { header: 'avg_latency_ms', value: (row) => row.avgLatencyMs },
];

const modelColumns: CsvColumn<ModelUsage>[] = [
  { header: 'model_id', value: (row) => row.modelId },
  { header: 'model_config_id', value: (row) => row.modelConfigId },
  { header: 'display_name', value: (row) => row.displayName },
  { header: 'provider', value: (row) => row.providerName },
  ...totalColumns,
];

const userColumns: CsvColumn<UserUsage>[] = [
  { header: 'user_id', value: (row) => row.userId },
  { header: 'nickname', value: (row) => row.nickname },
  { header: 'email', value: (row) => row.email },
  ...totalColumns,
];

const dayColumns: CsvColumn<DayUsage>[] = [
  { header: 'day', value: (row) => row.day },
  ...totalColumns,
];

/** Writes usage by model as CSV, one row per model config or deleted config's model id. */
export function modelUsageCsv(rows: readonly ModelUsage[]): string {
  return toCsv(modelColumns, rows);
}

/** Writes usage by user as CSV. Deleted users have empty id, nickname and email cells. */
export function userUsageCsv(rows: readonly UserUsage[]): string {
  return toCsv(userColumns, rows);
}

/** Writes usage by UTC day as CSV, one row for every day of the period. */
export function dayUsageCsv(rows: readonly DayUsage[]): string {
  return toCsv(dayColumns, rows);
}
