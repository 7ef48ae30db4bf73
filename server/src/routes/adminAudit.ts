import { Op, type WhereOptions } from 'sequelize';
import { z } from 'zod';
import { AuditLog } from '../models/index.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { queryInteger } from '../validation/query.js';

const auditQuery = z.object({
  action: z.string().max(64).optional(),
  // The largest value of the INT id columns in MySQL.
  actorId: queryInteger(1, 2_147_483_647).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 500).default(100),
});

const auditEntry = z.object({
  id: z.number().int(),
  actorId: z.number().int().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  login: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});

/** Registers `GET /api/admin/audit-log`, newest first. */
export function registerAdminAuditRoutes(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/audit-log',
      summary: 'Audit log entries, filtered by action, actor and time',
      tag: 'admin',
      access: 'admin',
      query: auditQuery,
      responses: {
        200: {
          description: 'A page of entries',
          schema: z.object({ entries: z.array(auditEntry), total: z.number().int() }),
        },
      },
    },
    async (ctx, { query }) => {
      const where: WhereOptions[] = [];
      if (query.action !== undefined) {
        where.push({ action: query.action });
      }
      if (query.actorId !== undefined) {
        where.push({ actorId: query.actorId });
      }
      if (query.since !== undefined) {
        where.push({ createdAt: { [Op.gte]: new Date(query.since) } });
      }
      const { rows, count } = await AuditLog.findAndCountAll({
        where: { [Op.and]: where },
        order: [['id', 'DESC']],
        limit: query.pageSize,
        offset: (query.page - 1) * query.pageSize,
      });
      ctx.body = {
        entries: rows.map((row) => ({
          ...row.get({ plain: true }),
          createdAt: row.createdAt.toISOString(),
        })),
        total: count,
      };
    },
  );
}
