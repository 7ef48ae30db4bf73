import { z } from 'zod';
import {
  dayUsageCsv,
  modelUsageCsv,
  USAGE_BREAKDOWNS,
  userUsageCsv,
} from '../presenters/usageCsv.js';
import type { UsageBreakdown } from '../presenters/usageCsv.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { countRecords } from '../stats/recordCounts.js';
import { periodQueryFields, resolvePeriod, type Period } from '../usage/period.js';
import {
  gpuHoursByHostAndUser,
  usageByDay,
  usageByModel,
  usageByUser,
  usageTotals,
} from '../usage/report.js';
import { userCounts } from '../users/administration.js';

const periodQuery = z.object(periodQueryFields);

const exportQuery = z.object({
  ...periodQueryFields,
  by: z.enum(USAGE_BREAKDOWNS, { error: `must be one of ${USAGE_BREAKDOWNS.join(', ')}` }),
});

const periodSchema = z.object({ from: z.string(), to: z.string(), days: z.number().int() });

const totalsShape = {
  requests: z.number().int(),
  failedRequests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  totalTokens: z.number().int(),
  cost: z.number(),
  unpricedRequests: z.number().int(),
  avgLatencyMs: z.number().int().nullable(),
};

const totalsSchema = z.object(totalsShape);

const usageSchema = z.object({
  period: periodSchema,
  totals: totalsSchema,
  byModel: z.array(
    z.object({
      modelId: z.string(),
      modelConfigId: z.number().int().nullable(),
      displayName: z.string().nullable(),
      providerName: z.string().nullable(),
      ...totalsShape,
    }),
  ),
  byUser: z.array(
    z.object({
      userId: z.number().int().nullable(),
      nickname: z.string().nullable(),
      email: z.string().nullable(),
      ...totalsShape,
    }),
  ),
  byDay: z.array(z.object({ day: z.string(), ...totalsShape })),
});

const gpuHoursSchema = z.object({
  period: periodSchema,
  gpuHours: z.array(
    z.object({
      hostId: z.number().int().nullable(),
      hostName: z.string().nullable(),
      userId: z.number().int().nullable(),
      nickname: z.string().nullable(),
      hours: z.number(),
    }),
  ),
  total: z.number().int(),
});

const dashboardSchema = z.object({
  period: periodSchema,
  users: z.record(z.string(), z.number().int()),
  usage: totalsSchema,
  records: z.record(
    z.string(),
    z.object({
      total: z.number().int(),
      byState: z.record(z.string(), z.number().int()).optional(),
    }),
  ),
});

/**
 * Registers the admin usage reports: `/api/admin/usage` (by model, user and day),
 * `/api/admin/usage/export` (CSV), `/api/admin/usage/gpu-hours` and `/api/admin/dashboard`.
 * Periods are whole UTC days; see usage/period.ts.
 */
export function registerAdminUsageRoutes(target: RouteTarget): void {
  defineUsage(target);
  defineExport(target);
  defineGpuHours(target);
  defineDashboard(target);
}

function defineUsage(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/usage',
      summary: 'Token usage and cost by model, by user and by day for a period',
      tag: 'admin',
      access: 'admin',
      query: periodQuery,
      responses: { 200: { description: 'Usage in the period', schema: usageSchema } },
    },
    async (ctx, { query }) => {
      const period = resolvePeriod(query);

      const [totals, byModel, byUser, byDay] = await Promise.all([
        usageTotals(period),
        usageByModel(period),
        usageByUser(period),
        usageByDay(period),
      ]);

      ctx.body = { period: presentPeriod(period), totals, byModel, byUser, byDay };
    },
  );
}

function defineExport(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/usage/export',
      summary: 'Usage by model, user or day for a period as a CSV file',
      tag: 'admin',
      access: 'admin',
      query: exportQuery,
      responses: { 200: { description: 'A CSV file with a header line (text/csv)' } },
    },
    async (ctx, { query }) => {
      const period = resolvePeriod(query);

      const csv = await usageCsv(query.by, period);

      ctx.type = 'text/csv; charset=utf-8';
      ctx.set(
        'Content-Disposition',
        `attachment; filename="usage-by-${query.by}-${period.from}-to-${period.to}.csv"`,
      );
      ctx.set('Cache-Control', 'no-store');
      ctx.body = csv;
    },
  );
}

function defineGpuHours(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/usage/gpu-hours',
      summary: 'GPU hours of training tasks by GPU host and user for a period',
      tag: 'admin',
      access: 'admin',
      query: periodQuery,
      responses: { 200: { description: 'GPU hours in the period', schema: gpuHoursSchema } },
    },
    async (ctx, { query }) => {
      const period = resolvePeriod(query);
      const gpuHours = await gpuHoursByHostAndUser(period);
      ctx.body = { period: presentPeriod(period), gpuHours, total: gpuHours.length };
    },
  );
}

function defineDashboard(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/dashboard',
      summary: 'User counts, usage totals for a period, and record counts of the tables that exist',
      tag: 'admin',
      access: 'admin',
      query: periodQuery,
      responses: { 200: { description: 'Dashboard figures', schema: dashboardSchema } },
    },
    async (ctx, { query }) => {
      const period = resolvePeriod(query);

      const [users, usage, records] = await Promise.all([
        userCounts(),
        usageTotals(period),
        countRecords(ctx.services.sequelize),
      ]);

      ctx.body = { period: presentPeriod(period), users, usage, records };
    },
  );
}

function usageCsv(by: UsageBreakdown, period: Period): Promise<string> {
  switch (by) {
    case 'model':
      return usageByModel(period).then(modelUsageCsv);
    case 'user':
      return usageByUser(period).then(userUsageCsv);
    case 'day':
      return usageByDay(period).then(dayUsageCsv);
  }
}

function presentPeriod(period: Period) {
  return { from: period.from, to: period.to, days: period.days };
}
