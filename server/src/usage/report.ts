import { Op, Sequelize, type FindAttributeOptions, type GroupOption } from 'sequelize';
import { ModelConfig, Provider, UsageRecord, User } from '../models/index.js';
import { daysOf, type Period } from './period.js';

/** Sums over the usage records of one group. Costs are in dollars. */
export interface UsageTotals {
  requests: number;
  failedRequests: number;
  promptTokens: number;
  completionTokens: number;
  /** Part of `completionTokens`, reported separately by reasoning models. */
  reasoningTokens: number;
  /** Prompt plus completion tokens. */
  totalTokens: number;
  /** The sum of the known costs. */
  cost: number;
  /** Requests whose cost is unknown, because a price or the token counts were missing. */
  unpricedRequests: number;
  avgLatencyMs: number | null;
}

/** Usage of one model: one model config, or a model id whose config was deleted. */
export interface ModelUsage extends UsageTotals {
  modelId: string;
  modelConfigId: number | null;
  /** The config's display name, or null when the config was deleted. */
  displayName: string | null;
  providerName: string | null;
}

/** Usage of one user. `userId` is null for the records of deleted users. */
export interface UserUsage extends UsageTotals {
  userId: number | null;
  nickname: string | null;
  email: string | null;
}

/** Usage on one UTC day, written as YYYY-MM-DD. */
export interface DayUsage extends UsageTotals {
  day: string;
}

/** GPU time of one user on one GPU host. */
export interface GpuHours {
  hostId: number | null;
  hostName: string | null;
  userId: number | null;
  nickname: string | null;
  hours: number;
}

/** One row of a grouped query, before conversion: drivers return sums as numbers or strings. */
type RawTotals = Record<keyof Omit<UsageTotals, 'totalTokens'>, number | string | null>;

const TOTAL_ATTRIBUTES: FindAttributeOptions = [
  [Sequelize.fn('COUNT', Sequelize.col('id')), 'requests'],
  [Sequelize.literal('SUM(CASE WHEN success = 1 THEN 0 ELSE 1 END)'), 'failedRequests'],
  [Sequelize.fn('SUM', Sequelize.col('prompt_tokens')), 'promptTokens'],
  [Sequelize.fn('SUM', Sequelize.col('completion_tokens')), 'completionTokens'],
  [Sequelize.fn('SUM', Sequelize.col('reasoning_tokens')), 'reasoningTokens'],
  [Sequelize.fn('SUM', Sequelize.col('cost')), 'cost'],
  [Sequelize.literal('SUM(CASE WHEN cost IS NULL THEN 1 ELSE 0 END)'), 'unpricedRequests'],
  [Sequelize.fn('AVG', Sequelize.col('latency_ms')), 'avgLatencyMs'],
];

/** Returns the totals over every usage record in the period. */
export async function usageTotals(period: Period): Promise<UsageTotals> {
  const [row] = await grouped<RawTotals>(period, [], []);
  return row === undefined ? toTotals(emptyRawTotals()) : toTotals(row);
}

/** Returns usage per model config, or per model id for deleted configs, highest cost first. */
export async function usageByModel(period: Period): Promise<ModelUsage[]> {
  type Row = RawTotals & { modelId: string; modelConfigId: number | null };
  const rows = await grouped<Row>(
    period,
    ['modelId', 'modelConfigId'],
    ['model_id', 'model_config_id'],
  );
  const configIds = rows.flatMap((row) => (row.modelConfigId === null ? [] : [row.modelConfigId]));
  const configs = await ModelConfig.findAll({
    where: { id: { [Op.in]: configIds } },
    include: [{ model: Provider, as: 'provider', attributes: ['name'] }],
  });
  const configById = new Map(configs.map((config) => [config.id, config]));
  return rows
    .map((row) => {
      const config = row.modelConfigId === null ? undefined : configById.get(row.modelConfigId);
      return {
        modelId: row.modelId,
        modelConfigId: row.modelConfigId,
        displayName: config?.displayName ?? null,
        providerName: config?.provider?.name ?? null,
        ...toTotals(row),
      };
    })
    .sort(byCostThenTokens);
}

/** Returns usage per user, highest cost first. */
export async function usageByUser(period: Period): Promise<UserUsage[]> {
  type Row = RawTotals & { userId: number | null };
  const rows = await grouped<Row>(period, ['userId'], ['user_id']);
  const userIds = rows.flatMap((row) => (row.userId === null ? [] : [row.userId]));
  const users = await User.findAll({
    where: { id: { [Op.in]: userIds } },
    attributes: ['id', 'nickname', 'email'],
  });
  const userById = new Map(users.map((user) => [user.id, user]));
  return rows
    .map((row) => {
      const user = row.userId === null ? undefined : userById.get(row.userId);
      return {
        userId: row.userId,
        nickname: user?.nickname ?? null,
        email: user?.email ?? null,
        ...toTotals(row),
      };
    })
    .sort(byCostThenTokens);
}

/** Returns usage for every day of the period in order, with zeros for days without records. */
export async function usageByDay(period: Period): Promise<DayUsage[]> {
  type Row = RawTotals & { day: string };
  const day = utcDayExpression();
  const rows = await UsageRecord.findAll({
    attributes: [[day, 'day'], ...(TOTAL_ATTRIBUTES as [])],
    where: inPeriod(period),
    group: [day],
    raw: true,
  });
  const byDay = new Map((rows as unknown as Row[]).map((row) => [String(row.day), row]));
  return daysOf(period).map((date) => ({
    day: date,
    ...toTotals(byDay.get(date) ?? emptyRawTotals()),
  }));
}

/**
 * Returns GPU hours per GPU host and user in the period.
 * TODO: returns an empty list until GPU time is read from training_tasks: the part of each task's
 * run (started_at to finished_at, or to now while it runs) that falls inside the period, summed
 * per gpu_host_id and owner_id.
 */
export function gpuHoursByHostAndUser(_period: Period): Promise<GpuHours[]> {
  return Promise.resolve([]);
}

async function grouped<Row>(
  period: Period,
  attributes: string[],
  group: GroupOption & string[],
): Promise<Row[]> {
  const rows = await UsageRecord.findAll({
    attributes: [...attributes, ...(TOTAL_ATTRIBUTES as [])],
    where: inPeriod(period),
    ...(group.length === 0 ? {} : { group }),
    raw: true,
  });
  return rows as unknown as Row[];
}

function inPeriod(period: Period) {
  return { createdAt: { [Op.gte]: period.start, [Op.lt]: period.end } };
}

/**
 * Returns the SQL expression for the UTC day of `created_at` as YYYY-MM-DD. Sequelize stores
 * SQLite dates as text in UTC ("2025-03-31 12:00:00.000 +00:00"), and the MySQL connection uses
 * the +00:00 time zone.
 */
function utcDayExpression() {
  const dialect = UsageRecord.sequelize?.getDialect();
  return dialect === 'sqlite'
    ? Sequelize.fn('substr', Sequelize.col('created_at'), 1, 10)
    : Sequelize.fn('DATE_FORMAT', Sequelize.col('created_at'), '%Y-%m-%d');
}

function toTotals(row: RawTotals): UsageTotals {
  const promptTokens = toNumber(row.promptTokens);
  const completionTokens = toNumber(row.completionTokens);
  const avgLatency = row.avgLatencyMs === null ? null : Math.round(Number(row.avgLatencyMs));
  return {
    requests: toNumber(row.requests),
    failedRequests: toNumber(row.failedRequests),
    promptTokens,
    completionTokens,
    reasoningTokens: toNumber(row.reasoningTokens),
    totalTokens: promptTokens + completionTokens,
    cost: toNumber(row.cost),
    unpricedRequests: toNumber(row.unpricedRequests),
    avgLatencyMs: avgLatency,
  };
}

function emptyRawTotals(): RawTotals {
  return {
    requests: 0,
    failedRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cost: 0,
    unpricedRequests: 0,
    avgLatencyMs: null,
  };
}

/** SUM over no rows is NULL, and MySQL returns SUM and AVG of integers as decimal strings. */
function toNumber(value: number | string | null): number {
  return value === null ? 0 : Number(value);
}

function byCostThenTokens(a: UsageTotals, b: UsageTotals): number {
  return b.cost - a.cost || b.totalTokens - a.totalTokens || b.requests - a.requests;
}
